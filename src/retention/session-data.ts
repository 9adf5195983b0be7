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

/** Sessions visited per pass. */
const PAGE = 100;

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
    const { store, repo, summaries } = this.#deps;
    const page = await repo.list({ offset: this.#offset, limit: PAGE });
    for (const { id } of page.sessions) {
      const left = budget - out.logLines - out.metricBatches;
      if (left <= 0) {
        out.more = true;
        return out;
      }
      out.logLines += await trimToBounds(store, logName(id), this.#logs, lineTime, now, left);
      if (hasBounds(this.#metrics)) {
        // Folds every stored batch into the session's metric summary first: summaries (and so sorting and
        // keep-best) must still see the points this trim removes.
        await summaries.get(id);
        const rest = budget - out.logLines - out.metricBatches;
        out.metricBatches += await trimToBounds(store, seriesLog(id), this.#metrics, batchTime, now, rest);
      }
      this.#offset++;
    }
    if (page.sessions.length < PAGE) this.#offset = 0;
    else out.more = true;
    return out;
  }
}

const hasBounds = (b: LogRetention): boolean => b.maxAgeMs !== undefined || b.maxEntries !== undefined;
