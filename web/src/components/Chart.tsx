/**
 * One uPlot chart: a line per series against a shared x (the step or the time) on a single y axis. Both axes are
 * labelled in HTML beside the canvas (text a reader and a test can find), and the legend sits below them.
 */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface XY {
  x: number[];
  y: number[];
}

const COLORS = ['#2f7de1', '#e4572e', '#17a589', '#a66cff', '#f2a541', '#d6336c', '#5c7cfa', '#82c91e'];

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

/** A line needs two points: a series' only point is drawn as a dot instead (null: no dots). */
const lonePoint: uPlot.Series.Points.Filter = (u, si) => {
  const ys = u.data[si]!;
  let at = -1;
  for (let i = 0; i < ys.length; i++) {
    if (ys[i] == null) continue;
    if (at >= 0) return null;
    at = i;
  }
  return at < 0 ? null : [at];
};

function build(
  names: string[],
  xTime: boolean,
  legend: HTMLElement,
  width: number,
  height: number,
): uPlot.Options {
  const text = cssVar('--muted');
  const grid = cssVar('--grid');
  const axis = (): uPlot.Axis => ({
    stroke: text,
    grid: { stroke: grid, width: 1 },
    ticks: { stroke: grid, width: 1 },
  });
  return {
    width,
    height,
    legend: { live: true, mount: (_, table) => legend.append(table) },
    cursor: { drag: { x: true, y: false } },
    scales: { x: { time: xTime }, y: { auto: true } },
    // The x axis needs no room for a canvas label: its label is the HTML line below.
    axes: [{ ...axis(), size: 32 }, axis()],
    series: [
      { label: xTime ? 'time' : 'step' },
      ...names.map((name, i) => {
        const color = COLORS[i % COLORS.length]!;
        return {
          label: name,
          stroke: color,
          width: 1.5,
          spanGaps: true,
          points: { show: false, filter: lonePoint, size: 8, width: 0, fill: color },
        };
      }),
    ],
  };
}

/**
 * Lines per name, the y axis labelled with `title`; `version` changes when the data grew (the arrays are
 * appended in place).
 */
export function Chart(props: {
  title: string;
  series: Map<string, XY>;
  xTime: boolean;
  version: number;
  height?: number;
}) {
  const box = useRef<HTMLDivElement>(null);
  const legend = useRef<HTMLDivElement>(null);
  const plot = useRef<{ u: uPlot; names: string } | undefined>(undefined);
  const height = props.height ?? 220;

  useEffect(() => {
    const el = box.current!;
    const names = [...props.series.keys()];
    const key = names.join('\u0000');
    const tables = names.map((n) => {
      const s = props.series.get(n)!;
      return [props.xTime ? s.x.map((t) => t / 1000) : s.x, s.y] as uPlot.AlignedData;
    });
    const data: uPlot.AlignedData =
      tables.length === 0 ? [[]] : tables.length === 1 ? tables[0]! : uPlot.join(tables);
    const points = names.reduce((a, n) => a + props.series.get(n)!.y.length, 0);
    el.dataset.points = String(points);
    if (plot.current && plot.current.names === key) {
      plot.current.u.setData(data);
      return;
    }
    plot.current?.u.destroy();
    if (names.length === 0) {
      plot.current = undefined;
      return;
    }
    const options = build(names, props.xTime, legend.current!, Math.max(300, el.clientWidth), height);
    plot.current = { u: new uPlot(options, data, el), names: key };
  }, [props.version, props.series, props.xTime, height]);

  useEffect(() => {
    const el = box.current!;
    const ro = new ResizeObserver(() =>
      plot.current?.u.setSize({ width: Math.max(300, el.clientWidth), height }),
    );
    ro.observe(el);
    const dark = matchMedia('(prefers-color-scheme: dark)');
    // Canvas colours come from CSS variables read at creation: rebuild when the scheme flips.
    const flip = () => {
      const p = plot.current;
      if (!p) return;
      const names = p.names.split('\u0000');
      const data = p.u.data;
      p.u.destroy();
      plot.current = {
        u: new uPlot(build(names, props.xTime, legend.current!, el.clientWidth, height), data, el),
        names: p.names,
      };
    };
    dark.addEventListener('change', flip);
    return () => {
      ro.disconnect();
      dark.removeEventListener('change', flip);
      plot.current?.u.destroy();
      plot.current = undefined;
    };
  }, [props.xTime, height]);

  return (
    <figure class="chart" data-chart={props.title}>
      <figcaption>{props.title}</figcaption>
      <div class="chart-plot">
        <span class="axis-label axis-y">{props.title}</span>
        <div ref={box} class="chart-box" data-points="0" />
      </div>
      <div class="axis-label axis-x">{props.xTime ? 'time' : 'step'}</div>
      <div ref={legend} class="chart-legend" />
    </figure>
  );
}
