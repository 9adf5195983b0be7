/** A session's metrics as one chart per family (lib/metric-families), all against the step or all against the time. */
import { useMemo } from 'preact/hooks';
import { byFamily } from '../lib/metric-families.js';
import { Chart, type XY } from './Chart.js';

export function MetricCharts(props: { series: Map<string, XY>; xTime: boolean; version: number }) {
  const families = useMemo(() => byFamily(props.series), [props.series, props.version]);
  let points = 0;
  for (const s of props.series.values()) points += s.y.length;
  return (
    <div class="charts" data-testid={`chart-${props.xTime ? 'time' : 'step'}`} data-points={points}>
      {families.size === 0 ? <p class="muted chart-empty">No metrics yet.</p> : null}
      {[...families].map(([name, series]) => (
        <Chart key={name} title={name} series={series} xTime={props.xTime} version={props.version} />
      ))}
    </div>
  );
}
