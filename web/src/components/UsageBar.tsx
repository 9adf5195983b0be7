/**
 * A capacity bar split into one segment per holder (session), the rest free; `used` (what the holders were last
 * sampled using) is a mark across the bar, so use below or above the allocation shows.
 */
import { Link } from './Link.js';

export interface Segment {
  key: string;
  label: string;
  value: number;
  href?: string;
}

const PALETTE = 8;

export function UsageBar(props: {
  label: string;
  capacity: number;
  segments: Segment[];
  used?: number;
  format(v: number): string;
}) {
  const { capacity, segments } = props;
  const used = segments.reduce((a, s) => a + s.value, 0);
  const pct = (v: number) => (capacity > 0 ? Math.min(100, (v / capacity) * 100) : 0);
  return (
    <div class="usage">
      <div class="usage-head">
        <span>{props.label}</span>
        <span class="num muted">
          {props.used === undefined ? null : (
            <span data-testid="used">used {props.format(props.used)} · </span>
          )}
          {props.format(used)} / {props.format(capacity)}
        </span>
      </div>
      <div
        class="usage-bar"
        role="img"
        aria-label={`${props.label}: ${props.format(used)} of ${props.format(capacity)}`}
      >
        {props.used === undefined ? null : (
          <div
            class="used-mark"
            style={{ left: `${pct(props.used)}%` }}
            title={`used ${props.format(props.used)}`}
          />
        )}
        {segments.map((s, i) => (
          <div
            key={s.key}
            class={`seg seg-${i % PALETTE}`}
            style={{ width: `${pct(s.value)}%` }}
            title={`${s.label}: ${props.format(s.value)}`}
          >
            {pct(s.value) > 12 ? s.href ? <Link href={s.href}>{s.label}</Link> : s.label : null}
          </div>
        ))}
      </div>
    </div>
  );
}
