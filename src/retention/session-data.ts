/**
 * Bounds every session's output lines and metric series, a page of sessions per pass: the walk resumes where the
 * last pass stopped and wraps around, so each pass does a bounded amount of work however many sessions exist.
 */
import type { LogRetention } from '../config/index.js';
import { lineTime, logName, type SessionRepo } from '../sessions/index.js';
import type { Store } from '../store/index.js';
import { batchTime, type MetricSummaries, seriesLog } from '../telemetry/index.js';
import { trimToBounds } from './log-trim.js';

export interface SessionDataDeps {
  store: Store;
  repo: SessionRepo;
  summaries: MetricSummaries;
}

export interface SessionDataResult {
  logLines: number;
  metricBatches: number;
  /** The budget ran out before the walk came round: call again soon. */
  more: boolean;
}

/** Sessions visited per pass, and checked at once. */
const PAGE = 100;
const PARALLEL = 16;

export class SessionDataTrimmer {
  readonly #deps: SessionDataDeps;
  readonly #logs: LogRetention;
  readonly #metrics: LogRetention;
  /** Where the walk over sessions (newest first) goes on next pass. */
  #offset = 0;

  constructor(deps: SessionDataDeps, logs: LogRetention, metrics: LogRetention) {
    this.#deps = deps;
    this.#logs = logs;
    this.#metrics = metrics;
  }

  get enabled(): boolean {
    return hasBounds(this.#logs) || hasBounds(this.#metrics);
  }

  /** Trims the next page of sessions, removing at most `budget` entries in all. */
  async pass(now: number, budget: number): Promise<SessionDataResult> {
    const out: SessionDataResult = { logLines: 0, metricBatches: 0, more: false };
    if (!this.enabled) return out;
    const page = await this.#deps.repo.list({ offset: this.#offset, limit: PAGE });
    for (let i = 0; i < page.sessions.length; i += PARALLEL) {
      const left = budget - out.logLines - out.metricBatches;
      if (left <= 0) {
        out.more = true;
        return out;
      }
      const chunk = page.sessions.slice(i, i + PARALLEL);
      // Checked side by side (most sessions are within bounds: a few reads each); each may use an equal share.
      const share = Math.max(1, Math.floor(left / chunk.length));
      for (const r of await Promise.all(chunk.map(({ id }) => this.#trim(id, now, share)))) {
        out.logLines += r.logLines;
        out.metricBatches += r.metricBatches;
        // A session that used its whole share may have more to go.
        if (r.logLines + r.metricBatches >= share) out.more = true;
      }
      this.#offset += chunk.length;
    }
    if (page.sessions.length < PAGE) this.#offset = 0;
    else out.more = true;
    return out;
  }

  async #trim(id: string, now: number, share: number): Promise<Omit<SessionDataResult, 'more'>> {
    const { store, summaries } = this.#deps;
    const logLines = await trimToBounds(store, logName(id), this.#logs, lineTime, now, share);
    // Every stored batch is folded into the session's metric summary before any goes: summaries (and so sorting
    // and --keep-best) must still see the points this trim removes.
    const metricBatches = await trimToBounds(
      store,
      seriesLog(id),
      this.#metrics,
      batchTime,
      now,
      share - logLines,
      () => summaries.get(id),
    );
    return { logLines, metricBatches };
  }
}

const hasBounds = (b: LogRetention): boolean => b.maxAgeMs !== undefined || b.maxEntries !== undefined;
