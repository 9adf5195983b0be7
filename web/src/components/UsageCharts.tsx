/**
 * A session's resource use as the manager sampled it, against time: a chart per kind (CPU, memory, GPU), each
 * with the session's grant drawn as a flat `granted` line, so a job using less (or more) than it asked shows.
 */
import { useMemo } from 'preact/hooks';
import type { Placement } from '../api/types.js';
import { groupSeries, USAGE_GROUPS, type UsageGroup } from '../lib/usage-series.js';
import { Chart, type XY } from './Chart.js';

function grant(p: Placement, group: UsageGroup): number | undefined {
  if (group.metrics.includes('cpu')) return p.cpus;
  if (group.metrics.includes('rss_mb')) return p.memoryMb;
  if (group.metrics.includes('gpu')) return p.gpus.length * p.gpuMemoryFraction || undefined;
  return undefined;
}

/** `usage` holds the series without their `sys/` prefix, against time; `version` changes when they grew. */
export function UsageCharts(props: { usage: Map<string, XY>; placement?: Placement; version: number }) {
  const charts = useMemo(
    () =>
      USAGE_GROUPS.flatMap((group) => {
        const series = groupSeries(props.usage, group);
        if (series.size === 0) return [];
        const g = props.placement && grant(props.placement, group);
        const times = [...series.values()].flatMap((s) => (s.x.length ? [s.x[0]!, s.x.at(-1)!] : []));
        if (g !== undefined && times.length > 0)
          series.set('granted', { x: [Math.min(...times), Math.max(...times)], y: [g, g] });
        return [{ title: group.title, series }];
      }),
    [props.usage, props.placement, props.version],
  );
  return (
    <div class="charts" data-testid="usage-charts">
      {charts.length === 0 ? (
        <p class="muted chart-empty">No usage sampled yet: the manager samples running sessions.</p>
      ) : null}
      {charts.map((c) => (
        <Chart key={c.title} title={c.title} series={c.series} xTime={true} version={props.version} />
      ))}
    </div>
  );
}
