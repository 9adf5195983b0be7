/** Metric time series per session: a store log of packed point batches, read back per name and downsampled. */
import { type PackedPoints, USAGE_PREFIX } from '../api/index.js';
import type { Store, TxOp } from '../store/index.js';
import { minMaxIndices } from './downsample.js';
import { float64s, uint16s } from './points.js';

export const seriesLog = (sessionId: string): string => `metrics/${sessionId}`;

/** When a stored batch's newest point was taken (ms), for retention by age. */
export function batchTime(value: unknown): number | undefined {
  const t = float64s((value as Partial<PackedPoints>).t ?? new Uint8Array());
  return t.length > 0 ? t.reduce((a, b) => Math.max(a, b)) : undefined;
}

export interface Series {
  step: number[];
  time: number[];
  value: number[];
  /** Points stored for this name (before downsampling). */
  points: number;
  downsampled: boolean;
}

export interface SeriesQuery {
  /** Only these metric names (default all). */
  names?: string[];
  /** Downsample each series to at most this many points (min/max preserving); 0 or absent = every point. */
  maxPoints?: number;
  /** Only batches stored after this series cursor (for incremental reads). */
  after?: number;
}

export interface SeriesResult {
  sessionId: string;
  /** Cursor of the last batch read: pass it as `after` to get only newer points. */
  cursor: number;
  series: Record<string, Series>;
}

interface Columns {
  step: number[];
  time: number[];
  value: number[];
}

const PAGE = 512;

export class MetricSeries {
  readonly #store: Store;

  constructor(store: Store) {
    this.#store = store;
  }

  /** The transaction op that stores one batch of points. */
  op(sessionId: string, points: PackedPoints): TxOp {
    return { op: 'append', log: seriesLog(sessionId), value: points };
  }

  /**
   * The newest stored batch holding a wanted series: one of `names`, or by default any but the manager's usage
   * samples (`sys/…`), which keep arriving while a job is quiet. Read back in growing windows from the end, so it
   * stays cheap for a long run (a table's "last metric"); `cursor` is the log's end either way.
   */
  async latest(
    sessionId: string,
    query: Omit<SeriesQuery, 'after'> & { after?: number } = {},
  ): Promise<SeriesResult> {
    const log = seriesLog(sessionId);
    const last = await this.#store.lastCursor(log);
    const floor = query.after ?? 0;
    const names = query.names?.length ? new Set(query.names) : undefined;
    const wanted = (name: string) => (names ? names.has(name) : !name.startsWith(USAGE_PREFIX));
    for (let back = 1, end = last; end > floor; back *= 8) {
      const start = Math.max(floor, last - back);
      const entries = await this.#store.read<PackedPoints>(log, { after: start, limit: end - start });
      for (let i = entries.length - 1; i >= 0; i--) {
        const batch = entries[i]!.value;
        const hits = new Set(batch.n.filter(wanted));
        if (hits.size === 0) continue;
        const columns = new Map<string, Columns>();
        addBatch(columns, batch, hits);
        return { sessionId, cursor: last, series: seriesOf(columns, query.maxPoints ?? 0) };
      }
      end = start;
    }
    return { sessionId, cursor: last, series: {} };
  }

  async read(sessionId: string, query: SeriesQuery = {}): Promise<SeriesResult> {
    const wanted = query.names?.length ? new Set(query.names) : undefined;
    const columns = new Map<string, Columns>();
    let cursor = query.after ?? 0;
    for (;;) {
      const entries = await this.#store.read<PackedPoints>(seriesLog(sessionId), {
        after: cursor,
        limit: PAGE,
      });
      for (const entry of entries) {
        cursor = entry.cursor;
        addBatch(columns, entry.value, wanted);
      }
      if (entries.length < PAGE) break;
    }
    return { sessionId, cursor, series: seriesOf(columns, query.maxPoints ?? 0) };
  }
}

/** Each series by name (sorted), ordered by step and downsampled. */
function seriesOf(columns: Map<string, Columns>, maxPoints: number): Record<string, Series> {
  const series: Record<string, Series> = {};
  for (const [name, c] of [...columns].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    series[name] = shape(c, maxPoints);
  }
  return series;
}

function addBatch(columns: Map<string, Columns>, m: PackedPoints, wanted: Set<string> | undefined): void {
  const targets = m.n.map((name) => {
    if (wanted && !wanted.has(name)) return undefined;
    let c = columns.get(name);
    if (!c) {
      c = { step: [], time: [], value: [] };
      columns.set(name, c);
    }
    return c;
  });
  const idx = uint16s(m.i);
  const v = float64s(m.v);
  const s = float64s(m.s);
  const t = float64s(m.t);
  for (let k = 0; k < idx.length; k++) {
    const c = targets[idx[k]!];
    if (!c) continue;
    c.step.push(s[k]!);
    c.time.push(t[k]!);
    c.value.push(v[k]!);
  }
}

/** Orders by step (points of several ranks or a resent batch may interleave), then downsamples. */
function shape(c: Columns, maxPoints: number): Series {
  const n = c.step.length;
  let order: number[] | undefined;
  for (let k = 1; k < n; k++) {
    if (c.step[k]! < c.step[k - 1]!) {
      order = Array.from({ length: n }, (_, j) => j).sort((a, b) => c.step[a]! - c.step[b]! || a - b);
      break;
    }
  }
  const sorted = order
    ? {
        step: order.map((j) => c.step[j]!),
        time: order.map((j) => c.time[j]!),
        value: order.map((j) => c.value[j]!),
      }
    : c;
  if (!maxPoints || n <= maxPoints) return { ...sorted, points: n, downsampled: false };
  const keep = minMaxIndices(sorted.value, maxPoints);
  return {
    step: keep.map((k) => sorted.step[k]!),
    time: keep.map((k) => sorted.time[k]!),
    value: keep.map((k) => sorted.value[k]!),
    points: n,
    downsampled: true,
  };
}
