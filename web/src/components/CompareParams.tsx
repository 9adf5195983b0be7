/**
 * Params against one metric, picked from the runs' metrics (kept in the URL as `?metric=`, so a link shows the
 * same view). Only the params that differ between the runs get an axis: the others explain nothing.
 */
import { useMemo } from 'preact/hooks';
import type { ComparedSession } from '../api/types.js';
import { goalOf } from '../lib/metric-goal.js';
import { setSearch } from '../lib/router.js';
import { ParallelPlot } from './ParallelPlot.js';

const GOAL = { min: 'lower is better', max: 'higher is better' };

/** The metric shown first: a validation score if there is one, else the first name that is not a usage series. */
function preferred(metrics: string[]): string | undefined {
  return metrics.find((m) => /^val_?acc/.test(m)) ?? metrics.find((m) => !m.startsWith('sys/')) ?? metrics[0];
}

/** `labels[i]` names `sessions[i]`; `differing` are the params that differ; `picked` is `?metric=`. */
export function CompareParams(props: {
  sessions: ComparedSession[];
  labels: string[];
  differing: string[];
  picked: string | undefined;
}) {
  const metrics = [...new Set(props.sessions.flatMap((s) => Object.keys(s.metrics)))].sort();
  const metric = props.picked && metrics.includes(props.picked) ? props.picked : preferred(metrics);
  const runs = useMemo(
    () =>
      props.sessions.map((s, i) => ({
        key: s.id,
        label: props.labels[i]!,
        href: `/sessions/${encodeURIComponent(s.id)}`,
        params: s.params,
        value: metric === undefined ? undefined : s.metrics[metric]?.last,
      })),
    [props.sessions, props.labels, metric],
  );
  if (!metric) return <p class="muted">None of these runs has reported metrics.</p>;
  const goal = goalOf(metric);
  return (
    <>
      <div class="toolbar">
        <label>
          Metric{' '}
          <select
            data-testid="pc-metric"
            value={metric}
            onChange={(e) => setSearch({ metric: (e.currentTarget as HTMLSelectElement).value })}
          >
            {metrics.map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </label>
        <span class="muted">
          last value{goal ? `, ${GOAL[goal]}` : ''}; {props.differing.length || 'no'} differing param
          {props.differing.length === 1 ? '' : 's'}
        </span>
      </div>
      <ParallelPlot runs={runs} params={props.differing} metric={metric} goal={goal} />
    </>
  );
}
