/** "1–50 of 10,000" with previous/next: the table shows one page the API returned, never the whole list. */
import { integer } from '../lib/format.js';

export function Pager(props: { offset: number; limit: number; total: number; onPage(offset: number): void }) {
  const { offset, limit, total } = props;
  const last = Math.max(0, Math.floor((total - 1) / limit) * limit);
  return (
    <div class="pager">
      <span class="muted num" data-testid="pager-range">
        {total === 0 ? '0' : `${integer(offset + 1)}–${integer(Math.min(total, offset + limit))}`} of{' '}
        {integer(total)}
      </span>
      <button type="button" disabled={offset === 0} onClick={() => props.onPage(0)} title="First page">
        «
      </button>
      <button type="button" disabled={offset === 0} onClick={() => props.onPage(Math.max(0, offset - limit))}>
        ‹ Prev
      </button>
      <button type="button" disabled={offset + limit >= total} onClick={() => props.onPage(offset + limit)}>
        Next ›
      </button>
      <button type="button" disabled={offset >= last} onClick={() => props.onPage(last)} title="Last page">
        »
      </button>
    </div>
  );
}
