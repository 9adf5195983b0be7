/** One row of the sessions table. */
import type { SessionRecord } from '../api/types.js';
import { cpus, duration, megabytes, num, when } from '../lib/format.js';
import { Link } from './Link.js';
import { StateBadge } from './StateBadge.js';

export interface LastMetric {
  epoch: number;
  total?: number;
  metrics: Record<string, number>;
}

export function runtime(s: SessionRecord, now: number): string {
  if (s.startedAt) return duration((s.endedAt ?? now) - s.startedAt);
  if (s.endedAt) return '—';
  return `waiting ${duration(now - s.createdAt)}`;
}

export function resources(s: SessionRecord): string {
  const r = s.resources;
  return `${cpus(r.cpus)} CPU · ${megabytes(r.memoryMb)}${r.gpus ? ` · ${r.gpus} GPU` : ''}`;
}

export function SessionRow(props: {
  s: SessionRecord;
  now: number;
  last: LastMetric | undefined;
  picked: boolean;
  onPick: (id: string) => void;
}) {
  const { s, last } = props;
  return (
    <tr data-session={s.id} class={props.picked ? 'selected' : ''}>
      <td class="pick">
        <input
          type="checkbox"
          checked={props.picked}
          onChange={() => props.onPick(s.id)}
          aria-label={`Compare ${s.name}`}
        />
      </td>
      <td>
        <StateBadge state={s.state} title={s.reason} />
      </td>
      <td class="name">
        <Link href={`/sessions/${encodeURIComponent(s.id)}`}>{s.name}</Link>
        <div class="muted mono small">{s.id}</div>
      </td>
      <td class="mono">{s.dataset ?? <span class="muted">—</span>}</td>
      <td class="num">{resources(s)}</td>
      <td class="mono">{s.placement?.node ?? <span class="muted">{s.pool}</span>}</td>
      <td class="num">{runtime(s, props.now)}</td>
      <td class="num small">
        {last ? (
          <>
            <span class="muted">
              ep {last.epoch}
              {last.total ? `/${last.total}` : ''}
            </span>{' '}
            {Object.entries(last.metrics)
              .slice(0, 2)
              .map(([k, v]) => `${k} ${num(v)}`)
              .join(' · ')}
          </>
        ) : (
          <span class="muted">—</span>
        )}
      </td>
      <td class="num muted">{when(s.createdAt)}</td>
    </tr>
  );
}
