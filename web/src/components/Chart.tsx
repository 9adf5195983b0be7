/**
 * Metric series drawn with uPlot: x is the step (epoch) or the time, one line per metric name. Ratio-like
 * metrics (accuracy, f1, …) get their own right-hand axis so they stay readable beside a loss.
 */
import { useEffect, useRef } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

export interface XY {
  x: number[];
  y: number[];
}

const COLORS = ['#2f7de1', '#e4572e', '#17a589', '#a66cff', '#f2a541', '#d6336c', '#5c7cfa', '#82c91e'];
const RATIO = /acc|accuracy|f1|precision|recall|auc|ratio/i;

function cssVar(name: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || '#888';
}

function build(names: string[], xTime: boolean, width: number, height: number): uPlot.Options {
  const text = cssVar('--muted');
  const grid = cssVar('--grid');
  const hasRatio = names.some((n) => RATIO.test(n));
  const hasOther = names.some((n) => !RATIO.test(n));
  const axis = (scale: string, side: 0 | 1 | 2 | 3, show = true): uPlot.Axis => ({
    scale,
    side,
    show,
    stroke: text,
    grid: { stroke: grid, width: 1, show: side !== 1 },
    ticks: { stroke: grid, width: 1 },
  });
  return {
    width,
    height,
    legend: { live: true },
    cursor: { drag: { x: true, y: false } },
    scales: { x: { time: xTime }, y: { auto: true }, r: { auto: true } },
    axes: [axis('x', 2), axis(hasOther ? 'y' : 'r', 3), ...(hasRatio && hasOther ? [axis('r', 1)] : [])],
    series: [
      { label: xTime ? 'time' : 'step' },
      ...names.map((name, i) => ({
        label: name,
        scale: RATIO.test(name) ? 'r' : 'y',
        stroke: COLORS[i % COLORS.length]!,
        width: 1.5,
        spanGaps: true,
        points: { show: false },
      })),
    ],
  };
}

/** Lines per name against a shared x; `version` changes when the data grew (the arrays are appended in place). */
export function Chart(props: {
  title: string;
  series: Map<string, XY>;
  xTime: boolean;
  version: number;
  height?: number;
}) {
  const box = useRef<HTMLDivElement>(null);
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
    const u = new uPlot(build(names, props.xTime, Math.max(300, el.clientWidth), height), data, el);
    plot.current = { u, names: key };
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
        u: new uPlot(build(names, props.xTime, el.clientWidth, height), data, el),
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
    <figure class="chart">
      <figcaption>{props.title}</figcaption>
      <div
        ref={box}
        class="chart-box"
        data-testid={`chart-${props.xTime ? 'time' : 'step'}`}
        data-points="0"
      />
      {props.series.size === 0 ? <p class="muted chart-empty">No metrics yet.</p> : null}
    </figure>
  );
}
