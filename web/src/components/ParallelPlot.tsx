/**
 * Params against a metric as parallel coordinates: an axis per param, the metric last, a line per run coloured by
 * its metric value (blue = best, orange = worst). Hovering a line brings it forward and names the run; a click opens
 * the run.
 */
import { useMemo, useState } from 'preact/hooks';
import type { ParamValue } from '../api/types.js';
import { valueText } from '../lib/format.js';
import type { Goal } from '../lib/metric-goal.js';
import { type Axis, axisFor } from '../lib/parallel-axes.js';
import { Link } from './Link.js';

const H = 260;
const TOP = 34;
const BOTTOM = 18;
const SIDE = 70;

const y = (at: number) => TOP + (1 - at) * (H - TOP - BOTTOM);

/** Best (1) is blue, worst (0) orange; a run without the metric is grey. */
const colour = (t: number | undefined) => (t === undefined ? 'var(--muted)' : `hsl(${30 + 185 * t} 75% 48%)`);

/** The SVG path through the defined points, broken where a run lacks a value. */
function path(points: Array<[number, number] | undefined>): string {
  let d = '';
  let pen = false;
  for (const p of points) {
    if (!p) pen = false;
    else {
      d += `${pen ? 'L' : 'M'}${p[0].toFixed(1)},${p[1].toFixed(1)}`;
      pen = true;
    }
  }
  return d;
}

function AxisLine(props: { axis: Axis; x: number; metric: boolean }) {
  const { axis, x } = props;
  return (
    <g class={props.metric ? 'pc-axis pc-metric' : 'pc-axis'} data-axis={axis.name} data-kind={axis.kind}>
      <line x1={x} x2={x} y1={y(1)} y2={y(0)} />
      <text x={x} y={TOP - 16} text-anchor="middle" class="pc-name">
        {axis.name}
        {axis.kind === 'log' ? ' (log)' : ''}
      </text>
      {axis.ticks.map((t) => (
        <text key={t.label} x={x - 6} y={y(t.at) + 4} text-anchor="end" class="pc-tick">
          {t.label}
        </text>
      ))}
    </g>
  );
}

/** A line: a run's params and its value of the metric; it links to `href`. */
export interface PlotRun {
  key: string;
  label: string;
  href: string;
  params: Record<string, ParamValue>;
  value: number | null | undefined;
}

/** `params` are the axes before the metric's. */
export function ParallelPlot(props: {
  runs: PlotRun[];
  params: string[];
  metric: string;
  goal: Goal | undefined;
}) {
  const [hover, setHover] = useState<number | undefined>(undefined);
  const names = [...props.params, props.metric];
  const { axes, runs, width } = useMemo(() => {
    // A row of values per run, the metric's (last value) at the end.
    const values = props.runs.map((r) => [...props.params.map((p) => r.params[p]), r.value]);
    const axes = names.map((n, i) =>
      axisFor(
        n,
        values.map((v) => v[i]),
      ),
    );
    const width = Math.max(520, 150 * axes.length);
    const x = (i: number) =>
      axes.length === 1 ? width / 2 : SIDE + (i * (width - 2 * SIDE)) / (axes.length - 1);
    const runs = values.map((row) => {
      const at = axes.map((a, i) => a.at(row[i]));
      const points = at.map((v, i) => (v === undefined ? undefined : ([x(i), y(v)] as [number, number])));
      const m = at[at.length - 1];
      const t = m === undefined || props.goal === undefined ? m : props.goal === 'min' ? 1 - m : m;
      return { values: row, points, d: path(points), stroke: colour(t) };
    });
    return { axes: axes.map((a, i) => ({ axis: a, x: x(i) })), runs, width };
  }, [props.runs, props.params, props.metric, props.goal]);

  const order =
    hover === undefined ? runs.map((_, i) => i) : [...runs.keys()].filter((i) => i !== hover).concat(hover);
  const h = hover === undefined ? undefined : runs[hover];
  return (
    <div class="pc" data-testid="parallel-plot">
      <svg viewBox={`0 0 ${width} ${H}`} class={hover === undefined ? '' : 'pc-hovering'}>
        <title>{names.join(', ')}: a line per run</title>
        {axes.map((a, i) => (
          <AxisLine key={a.axis.name} axis={a.axis} x={a.x} metric={i === axes.length - 1} />
        ))}
        {order.map((i) => (
          <Link
            key={props.runs[i]!.key}
            href={props.runs[i]!.href}
            class={i === hover ? 'pc-run pc-hover' : 'pc-run'}
            onHover={(on) => setHover(on ? i : undefined)}
          >
            <g data-run={props.runs[i]!.label}>
              <title>{props.runs[i]!.label}</title>
              <path d={runs[i]!.d} stroke={runs[i]!.stroke} class="pc-line" />
              <path d={runs[i]!.d} class="pc-hit" />
              {runs[i]!.points.map((p, k) =>
                p ? <circle key={k} cx={p[0]} cy={p[1]} r={3} fill={runs[i]!.stroke} /> : null,
              )}
            </g>
          </Link>
        ))}
      </svg>
      <p class="pc-readout muted" data-testid="pc-hover">
        {h ? (
          <>
            <strong>{props.runs[hover!]!.label}</strong>
            {names.map((n, i) => ` · ${n} ${valueText(h.values[i])}`)}
          </>
        ) : (
          'Hover a line to name its run; click it to open the run.'
        )}
      </p>
    </div>
  );
}
