/** Done out of total, as a bar and the two numbers. */
import { integer } from '../lib/format.js';

export function Progress(props: { done: number; total: number; label?: string }) {
  const pct = props.total > 0 ? Math.min(100, (props.done / props.total) * 100) : 0;
  return (
    <span class="num" data-testid="progress" data-done={props.done} data-total={props.total}>
      <span
        class="progress"
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={props.total}
        aria-valuenow={props.done}
        aria-label={props.label}
      >
        <div style={{ width: `${pct}%` }} />
      </span>
      {integer(props.done)} / {integer(props.total)}
    </span>
  );
}
