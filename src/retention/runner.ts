/**
 * The retention runner: on a timer, one bounded pass over the event archive, every session's logs and series,
 * and the session policy. A pass removes a capped number of entries in small transactions, so serving never
 * waits on it; when a cap is hit the next pass follows shortly, otherwise after the configured interval.
 */
import type { Logger } from 'pino';
import type { RetentionCounts, RetentionPolicy, RetentionRun, RetentionStatus } from '../api/index.js';
import type { RetentionConfig } from '../config/index.js';
import { EVENT_LOG, eventTime } from '../events/index.js';
import type { Experiments } from '../experiments/index.js';
import type { SessionRepo } from '../sessions/index.js';
import type { Store } from '../store/index.js';
import type { MetricSummaries } from '../telemetry/index.js';
import { trimToBounds } from './log-trim.js';
import { SessionDataTrimmer } from './session-data.js';
import { type RemoveSession, SessionPolicy } from './session-policy.js';

export interface RetentionDeps {
  store: Store;
  repo: SessionRepo;
  experiments: Experiments;
  summaries: MetricSummaries;
  removeSession: RemoveSession;
  logger: Logger;
  /** The clock passes compare ages against (default Date.now). */
  now?: () => number;
}

/** Caps per pass: entries removed from the archive, from session logs and series together, sessions deleted. */
export const PASS_BUDGET = { events: 20_000, sessionData: 20_000, sessions: 10 } as const;
/** Pause between passes while a cap keeps being hit: the store's other writers go first. */
const CATCH_UP_MS = 200;
/** `runNow` stops after this many passes even if more remains (an append storm could outrun it forever). */
const MAX_PASSES = 1000;

const zero = (): RetentionCounts => ({ events: 0, logLines: 0, metricBatches: 0, sessions: 0 });

export class RetentionRunner {
  readonly #deps: RetentionDeps;
  readonly #config: RetentionConfig;
  readonly #now: () => number;
  readonly #data: SessionDataTrimmer;
  readonly #policy: SessionPolicy;
  readonly #totals = zero();
  #passes = 0;
  #last: RetentionRun | undefined;
  #timer: NodeJS.Timeout | undefined;
  /** The pass in flight: timer passes and `runNow` never overlap. */
  #running: Promise<unknown> = Promise.resolve();
  #closed = false;

  constructor(deps: RetentionDeps, config: RetentionConfig) {
    this.#deps = deps;
    this.#config = config;
    this.#now = deps.now ?? Date.now;
    this.#data = new SessionDataTrimmer(deps, config.logs, config.metrics);
    this.#policy = new SessionPolicy(
      { repo: deps.repo, experiments: deps.experiments, remove: deps.removeSession },
      config.sessions,
    );
  }

  /** Whether any bound is configured; with none the runner never schedules a pass. */
  get enabled(): boolean {
    const e = this.#config.events;
    return (
      e.maxAgeMs !== undefined || e.maxEntries !== undefined || this.#data.enabled || this.#policy.enabled
    );
  }

  start(): void {
    if (this.enabled && !this.#closed) this.#schedule(this.#config.intervalMs);
  }

  /** Applies the policy until nothing is left (or MAX_PASSES), as one run. */
  runNow(): Promise<RetentionRun> {
    return this.#serial(async () => {
      const at = this.#now();
      const run: RetentionRun = { at, ms: 0, removed: zero(), deletedSessions: [], more: true };
      for (let i = 0; i < MAX_PASSES && run.more && !this.#closed; i++) {
        const pass = await this.#pass();
        for (const k of Object.keys(run.removed) as (keyof RetentionCounts)[])
          run.removed[k] += pass.removed[k];
        run.deletedSessions.push(...pass.deletedSessions);
        run.more = pass.more;
      }
      run.ms = this.#now() - at;
      return run;
    });
  }

  status(): RetentionStatus {
    return {
      policy: this.policy(),
      totals: { ...this.#totals },
      passes: this.#passes,
      ...(this.#last ? { last: this.#last } : {}),
    };
  }

  policy(): RetentionPolicy {
    const { events, logs, metrics, sessions, intervalMs } = this.#config;
    const best = sessions.keepBest;
    return {
      events,
      logs,
      metrics,
      sessions: {
        ...(sessions.olderThanMs !== undefined ? { olderThanMs: sessions.olderThanMs } : {}),
        ...(best ? { keepBest: { count: best.count, order: best.orderText } } : {}),
      },
      intervalMs,
    };
  }

  /** Stops the timer and waits for a pass in flight. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    clearTimeout(this.#timer);
    await this.#running.catch(() => undefined);
  }

  #schedule(ms: number): void {
    this.#timer = setTimeout(() => {
      this.#serial(() => this.#pass())
        .then((run) => this.#schedule(run.more ? CATCH_UP_MS : this.#config.intervalMs))
        .catch((err) => {
          if (this.#closed) return;
          this.#deps.logger.warn({ err }, 'retention pass failed; retrying at the next interval');
          this.#schedule(this.#config.intervalMs);
        });
    }, ms);
    this.#timer.unref();
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.#running.catch(() => undefined).then(fn);
    this.#running = next;
    return next;
  }

  /** One bounded pass over every kind of data. */
  async #pass(): Promise<RetentionRun> {
    const at = this.#now();
    const { store } = this.#deps;
    const events = await trimToBounds(
      store,
      EVENT_LOG,
      this.#config.events,
      eventTime,
      at,
      PASS_BUDGET.events,
    );
    const data = await this.#data.pass(at, PASS_BUDGET.sessionData);
    const policy = await this.#policy.pass(at, PASS_BUDGET.sessions);
    const run: RetentionRun = {
      at,
      ms: this.#now() - at,
      removed: {
        events,
        logLines: data.logLines,
        metricBatches: data.metricBatches,
        sessions: policy.deleted.length,
      },
      deletedSessions: policy.deleted,
      more: events >= PASS_BUDGET.events || data.more || policy.more,
    };
    for (const k of Object.keys(run.removed) as (keyof RetentionCounts)[]) this.#totals[k] += run.removed[k];
    this.#passes++;
    this.#last = run;
    return run;
  }
}
