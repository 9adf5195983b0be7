/**
 * Compared runs overlaid: one chart per training metric (never two metrics on one axis), a line per run against
 * the step. Usage series (`sys/…`, stepped in seconds) stay on each session's page.
 */
import { useMemo } from 'preact/hooks';
import type { ComparedSession } from '../api/types.js';
import { splitUsage } from '../lib/usage-series.js';
import { Chart, type XY } from './Chart.js';

/** `labels[i]` names `sessions[i]` in the legends. */
export function CompareCharts(props: { sessions: ComparedSession[]; labels: string[] }) {
  const charts = useMemo(() => {
    const byMetric = new Map<string, Map<string, XY>>();
    props.sessions.forEach((s, i) => {
      for (const [metric, series] of splitUsage(new Map(Object.entries(s.series))).training) {
        const runs = byMetric.get(metric) ?? new Map<string, XY>();
        runs.set(props.labels[i]!, { x: series.step, y: series.value });
        byMetric.set(metric, runs);
      }
    });
    return [...byMetric].sort(([a], [b]) => a.localeCompare(b));
  }, [props.sessions, props.labels]);
  return (
    <div class="charts" data-testid="compare-charts">
      {charts.length === 0 ? <p class="muted chart-empty">None of these runs has reported metrics.</p> : null}
      {charts.map(([metric, runs]) => (
        <Chart key={metric} title={metric} series={runs} xTime={false} version={0} />
      ))}
    </div>
  );
}
