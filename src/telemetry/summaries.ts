/**
 * Per-session metric summaries (last value by step, min, max) for sorting sessions by a metric. Derived from the
 * series log, so crash-safe: a stored summary is only a cache with the series cursor it covers, brought up to
 * date at read time by folding the batches after that cursor, then saved if nobody saved first.
 */
import type { MetricSummary } from '../api/index.js';
import { ConflictError } from '../errors/index.js';
import type { Store } from '../store/index.js';
import { type MetricSeries, type Series, seriesLog } from './series.js';

export const summaryKey = (sessionId: string): string => `metric-summary/${sessionId}`;

interface SummaryDoc {
  /** Series cursor of the last batch folded in. */
  cursor: number;
  metrics: Record<string, MetricSummary>;
}

export class MetricSummaries {
  readonly #store: Store;
  readonly #series: MetricSeries;

  constructor(store: Store, series: MetricSeries) {
    this.#store = store;
    this.#series = series;
  }

  /** Every metric's summary for the session, up to its newest stored point. */
  async get(sessionId: string): Promise<Record<string, MetricSummary>> {
    const doc = await this.#store.get<SummaryDoc>(summaryKey(sessionId));
    const cursor = doc?.value.cursor ?? 0;
    if ((await this.#store.lastCursor(seriesLog(sessionId))) <= cursor) return doc?.value.metrics ?? {};
    const fresh = await this.#series.read(sessionId, { after: cursor });
    const metrics = { ...doc?.value.metrics };
    for (const [name, s] of Object.entries(fresh.series)) metrics[name] = fold(metrics[name], s);
    try {
      await this.#store.put(summaryKey(sessionId), { cursor: fresh.cursor, metrics } satisfies SummaryDoc, {
        ifVersion: doc?.version ?? 0,
      });
    } catch (err) {
      // Another reader saved the same derivation (or a newer one) first: either way ours is not needed.
      if (!(err instanceof ConflictError)) throw err;
    }
    return metrics;
  }
}

/** Folds points (ordered by step) into a summary; the latest step wins `last`, non-finite values skip min/max. */
function fold(start: MetricSummary | undefined, s: Pick<Series, 'step' | 'value'>): MetricSummary {
  const out: MetricSummary = start ? { ...start } : { last: null, min: null, max: null, lastStep: -Infinity };
  for (let k = 0; k < s.step.length; k++) {
    const v = s.value[k]!;
    const finite = Number.isFinite(v);
    if (s.step[k]! >= out.lastStep) {
      out.lastStep = s.step[k]!;
      out.last = finite ? v : null;
    }
    if (!finite) continue;
    if (out.min === null || v < out.min) out.min = v;
    if (out.max === null || v > out.max) out.max = v;
  }
  return out;
}
