/**
 * Runs sessions: submit → queue → place (scheduler) → start (executor) → exit, plus stop, max runtime, the
 * long-run rule and reconciliation after a restart. One manager process owns the sessions of its store.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { ConflictError } from '../errors/index.js';
import type { EventArchive } from '../events/index.js';
import {
  type ExecHooks,
  type ExecSpec,
  type Executor,
  type ExitInfo,
  sessionEnv,
} from '../executors/index.js';
import {
  type Demand,
  LONG_RUN_THRESHOLD_MS,
  longRunDemotions,
  type NodeEngine,
  type Placement,
  type Scheduler,
} from '../scheduler/index.js';
import type { Store, TxOp } from '../store/index.js';
import { formatDuration } from '../util/duration.js';
import { type Active, deferred } from './active.js';
import { newSessionId } from './ids.js';
import { type ReconcileHost, reconcile } from './reconcile.js';
import { SessionRepo, sessionKey } from './repo.js';
import { startedData } from './started.js';
import { isTerminal } from './states.js';
import { buildRecord, engineOf, specOf } from './submit.js';
import type {
  DatasetResolver,
  ListOptions,
  LogPage,
  LogQuery,
  SessionFlag,
  SessionPage,
  SessionRecord,
  SessionSpec,
  SessionState,
  StopChannel,
} from './types.js';

export interface SessionManagerOptions {
  dataDir: string;
  /** URL and token sessions use to reach the manager (SWARMLAB_URL, SWARMLAB_TOKEN). */
  publicUrl: () => string;
  token: string;
  /** Time between SIGTERM (or the SDK's stop request) and SIGKILL (default 10 s). */
  stopGraceMs?: number;
  /** `training` sessions running longer than this are demoted to `low-priority` (default 5 h). */
  longRunMs?: number;
  /** How often the long-run rule is checked (default a tenth of `longRunMs`, at most 1 min). */
  longRunCheckMs?: number;
  /** Where sessions with an image run (`local`: this host's Docker engine; `swarm`); unset: images refused. */
  containerEngine?: NodeEngine;
}

export interface SessionDeps {
  store: Store;
  events: EventArchive;
  scheduler: Scheduler;
  /** Owned from now on: closed by `SessionManager.close()`. */
  executor: Executor;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  datasets?: DatasetResolver;
  /** Looked up on each stop, as the channel service may be wired after the manager. */
  stopChannel?: () => StopChannel | undefined;
}

/** A token CPU a yielded session keeps, as the scheduler needs every placement to hold something. */
const YIELDED_CPUS = 0.001;
const MAX_TIMER_MS = 2 ** 31 - 1;

const demandOf = (r: SessionRecord, containerEngine: NodeEngine | undefined): Demand => ({
  sessionId: r.id,
  resources: r.resources,
  priority: r.priority,
  pool: r.pool,
  labels: r.labels,
  engine: engineOf(r.image, containerEngine),
  submittedAt: r.createdAt,
});

export class SessionManager implements ReconcileHost {
  readonly repo: SessionRepo;
  readonly #deps: SessionDeps;
  readonly #opts: Required<Omit<SessionManagerOptions, 'containerEngine'>> &
    Pick<SessionManagerOptions, 'containerEngine'>;
  readonly #active = new Map<string, Active>();
  readonly #tasks = new Set<Promise<unknown>>();
  #kickPending = false;
  /** No placement before reconciliation has re-applied what running sessions hold. */
  #ready = false;
  #startup: Promise<void> | undefined;
  #tick: NodeJS.Timeout | undefined;
  #closed = false;

  constructor(deps: SessionDeps, options: SessionManagerOptions) {
    this.#deps = deps;
    const longRunMs = options.longRunMs ?? LONG_RUN_THRESHOLD_MS;
    this.#opts = {
      stopGraceMs: 10_000,
      longRunCheckMs: Math.max(20, Math.min(60_000, Math.floor(longRunMs / 10))),
      ...options,
      longRunMs,
    };
    this.repo = new SessionRepo(deps.store, deps.events);
  }

  get executorName(): string {
    return this.#deps.executor.name;
  }

  /** Reconciles what a previous manager left, then starts scheduling. */
  start(): Promise<void> {
    this.#startup ??= this.#start();
    return this.#startup;
  }

  async #start(): Promise<void> {
    await reconcile(this, await this.repo.active());
    this.#ready = true;
    this.#tick = setInterval(() => this.#checkLongRuns(), this.#opts.longRunCheckMs);
    this.#tick.unref();
    this.kick();
  }

  sessionDir(id: string): string {
    return join(this.#opts.dataDir, 'sessions', id);
  }

  async submit(spec: SessionSpec): Promise<SessionRecord> {
    await this.#startup;
    return this.#create(spec);
  }

  /** Builds, stores and queues a new session; `link` may amend the record and add ops to its transaction. */
  async #create(
    spec: SessionSpec,
    link?: (record: SessionRecord) => { record: SessionRecord; also: TxOp[] },
  ): Promise<SessionRecord> {
    const now = Date.now();
    const id = newSessionId(now);
    const outputDir = join(this.sessionDir(id), 'output');
    let record = await buildRecord(
      id,
      spec,
      {
        scheduler: this.#deps.scheduler,
        datasets: this.#deps.datasets,
        outputDir,
        containerEngine: this.#opts.containerEngine,
      },
      now,
    );
    let also: TxOp[] = [];
    if (link) ({ record, also } = link(record));
    await mkdir(outputDir, { recursive: true });
    const data = { name: record.name, priority: record.priority, pool: record.pool } as {
      name: string;
      priority: number;
      pool: string;
      dataset?: string;
    };
    if (record.dataset) data.dataset = record.dataset;
    await this.repo.create(record, { type: 'session.submitted', sessionId: id, data }, also);
    this.adopt(record);
    this.enqueue(record);
    this.kick();
    return record;
  }

  /**
   * Submits a copy of an ended session (same spec, new id) as its next attempt: `retryOf` and `attempt` on the
   * new record, `retriedBy` on the old one, written together, so a session is retried at most once.
   */
  async retry(id: string): Promise<SessionRecord> {
    await this.#startup;
    for (let attempt = 0; ; attempt++) {
      const doc = await this.repo.require(id);
      const old = doc.value;
      if (old.retriedBy) return this.get(old.retriedBy);
      if (!isTerminal(old.state)) {
        throw new ConflictError(`session ${id} is ${old.state}; only an ended session can be retried`, {
          details: { sessionId: id, state: old.state },
        });
      }
      const spec = specOf(old, join(this.sessionDir(id), 'output'));
      try {
        return await this.#create(spec, (record) => ({
          record: { ...record, retryOf: id, attempt: (old.attempt ?? 1) + 1 },
          also: [
            {
              op: 'put',
              key: sessionKey(id),
              value: { ...old, retriedBy: record.id },
              ifVersion: doc.version,
            },
          ],
        }));
      } catch (err) {
        if (!(err instanceof ConflictError) || attempt >= 5) throw err;
      }
    }
  }

  /** Marks a session flagged (an onExit rule saw an exit code it watches). */
  async flag(id: string, flag: SessionFlag): Promise<SessionRecord> {
    return this.repo.update(id, () => ({ flagged: flag }));
  }

  async get(id: string): Promise<SessionRecord> {
    return (await this.repo.require(id)).value;
  }

  list(options: ListOptions = {}): Promise<SessionPage> {
    return this.repo.list(options);
  }

  async logs(id: string, query: LogQuery = {}): Promise<LogPage> {
    await this.repo.require(id);
    return this.repo.logs(id, query);
  }

  /**
   * Asks a session to stop. Queued: stopped at once. Placed or starting: stopped before or right after its
   * process starts. Running: the SDK is asked first (if connected), then SIGTERM, then SIGKILL after the grace
   * period; the session ends `stopped` (or `rejected` with `as: 'rejected'`, for a reject rule) whatever its
   * exit code. Idempotent; ended sessions are returned as is.
   */
  async stop(
    id: string,
    reason = 'stopped by request',
    options: { as?: 'stopped' | 'rejected' } = {},
  ): Promise<SessionRecord> {
    const a = this.#active.get(id);
    if (!a || isTerminal(a.record.state)) return this.get(id);
    if (a.stopReason) return a.record;
    a.stopReason = reason;
    a.stopAs = options.as ?? 'stopped';
    a.record = await this.repo.update(
      id,
      () => ({ stopRequestedAt: Date.now() }),
      () => ({ type: 'session.stop-requested', sessionId: id, data: { reason } }),
    );
    if (this.#deps.scheduler.remove(id)) {
      await this.#end(a, a.stopAs, { exitCode: null, signal: null, reason });
      return a.record;
    }
    if (a.record.state === 'running') this.#run(this.#terminate(a, true));
    return a.record;
  }

  /** Waits until no internal work (placements, starts, exits) is in flight; for tests and shutdown. */
  async settle(): Promise<void> {
    while (this.#tasks.size > 0 || this.#kickPending) {
      await Promise.allSettled([...this.#tasks]);
      await new Promise((r) => setImmediate(r));
    }
  }

  /** Stops scheduling and tracking; running processes keep running and are re-attached by the next manager. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#tick);
    for (const a of this.#active.values()) clearTimeout(a.maxTimer);
    // Launches under way finish first, so what they started is recorded and can be re-attached later.
    await Promise.allSettled([...this.#tasks]);
    await this.#deps.executor.close();
  }

  // ---- internals shared with reconcile.ts ----

  /** Starts tracking an active record in memory. */
  adopt(record: SessionRecord): Active {
    const a: Active = { record, started: deferred(), exited: deferred() };
    this.#active.set(record.id, a);
    return a;
  }

  enqueue(record: SessionRecord): void {
    this.#deps.scheduler.enqueue(demandOf(record, this.#opts.containerEngine));
  }

  /** Re-applies a persisted placement; false (and a warning) when the nodes no longer allow it. */
  restorePlacement(p: Placement): boolean {
    const { rejected } = this.#deps.scheduler.restore([p]);
    for (const r of rejected)
      this.#deps.logger.warn({ sessionId: p.sessionId, reason: r.reason }, 'placement not restored');
    return rejected.length === 0;
  }

  execSpec(r: SessionRecord): ExecSpec {
    const p = r.placement!;
    const dir = this.sessionDir(r.id);
    const spec: ExecSpec = {
      sessionId: r.id,
      command: r.command,
      shell: r.shell,
      cwd: r.cwd,
      dir,
      resources: { cpus: p.cpus, memoryMb: p.memoryMb, gpus: p.gpus },
      node: p.node,
      pool: r.pool,
      labels: r.labels,
      env: sessionEnv(
        {
          url: this.#opts.publicUrl(),
          token: this.#opts.token,
          sessionId: r.id,
          dataset: r.dataset,
          node: p.node,
          gpus: p.gpus,
          gpuMemoryFraction: p.gpuMemoryFraction,
          cpus: r.resources.cpus,
          outputDir: join(dir, 'output'),
          user: r.env,
        },
        // A container keeps its image's environment (PATH, HOME…); only a local process inherits the manager's.
        r.image === undefined ? process.env : {},
      ),
    };
    if (r.image !== undefined) spec.image = r.image;
    if (r.keep) spec.keep = true;
    return spec;
  }

  hooks(id: string): ExecHooks {
    return {
      output: (batch) => this.repo.appendOutput(id, batch),
      exit: (info) => this.#onExit(id, info),
    };
  }

  /** Schedules a placement pass soon; many calls in one tick make one pass. */
  kick(): void {
    if (this.#closed || !this.#ready || this.#kickPending) return;
    this.#kickPending = true;
    setImmediate(() => {
      this.#kickPending = false;
      if (this.#closed) return;
      for (const p of this.#deps.scheduler.schedule(Date.now())) this.#run(this.#launch(p));
    });
  }

  /** Tracks background work so close() can wait for it; failures are logged, never unhandled. */
  #run(task: Promise<unknown>): void {
    const t = task.catch((err) => this.#deps.logger.error({ err }, 'session task failed'));
    this.#tasks.add(t);
    void t.finally(() => this.#tasks.delete(t));
  }

  run(task: Promise<unknown>): void {
    this.#run(task);
  }

  get executor(): Executor {
    return this.#deps.executor;
  }

  async #launch(p: Placement): Promise<void> {
    const a = this.#active.get(p.sessionId);
    if (!a) {
      this.#deps.scheduler.release(p.sessionId);
      return;
    }
    a.record = await this.repo.transition(
      p.sessionId,
      'placed',
      () => ({ placement: p, placedAt: Date.now() }),
      () => ({
        type: 'session.placed',
        sessionId: p.sessionId,
        data: { node: p.node, gpus: p.gpus, cpus: p.cpus, memoryMb: p.memoryMb },
      }),
    );
    await this.startPlaced(a);
  }

  /** placed → starting → running; a stop asked meanwhile wins, a start failure ends the session `failed`. */
  async startPlaced(a: Active): Promise<void> {
    const id = a.record.id;
    if (this.#closed) return; // stays `placed`: the next manager starts it
    if (a.stopReason) {
      await this.#end(a, a.stopAs ?? 'stopped', { exitCode: null, signal: null, reason: a.stopReason });
      return;
    }
    const { executor } = this.#deps;
    a.record = await this.repo.transition(
      id,
      'starting',
      () => ({}),
      () => ({ type: 'session.starting', sessionId: id, data: { executor: executor.name } }),
    );
    let handle: Awaited<ReturnType<Executor['start']>>;
    try {
      handle = await executor.start(this.execSpec(a.record), this.hooks(id));
    } catch (err) {
      await this.#end(a, 'failed', { exitCode: null, signal: null, reason: (err as Error).message });
      return;
    }
    try {
      a.record = await this.repo.transition(
        id,
        'running',
        () => ({ handle, startedAt: Date.now() }),
        () => ({
          type: 'session.started',
          sessionId: id,
          data: startedData(handle),
        }),
      );
    } finally {
      a.started.resolve();
    }
    this.armMaxRuntime(a);
    if (a.stopReason) this.#run(this.#terminate(a, true));
  }

  armMaxRuntime(a: Active): void {
    const { maxRuntimeMs, startedAt } = a.record;
    if (maxRuntimeMs === undefined || startedAt === undefined) return;
    const left = startedAt + maxRuntimeMs - Date.now();
    clearTimeout(a.maxTimer);
    a.maxTimer = setTimeout(
      () => {
        if (Date.now() < startedAt + maxRuntimeMs) return this.armMaxRuntime(a);
        a.timedOut = true;
        this.#run(this.#terminate(a, false));
      },
      Math.min(MAX_TIMER_MS, Math.max(0, left)),
    );
    a.maxTimer.unref();
  }

  /** Ends a running process: the SDK is asked first when `polite`, then SIGTERM, then SIGKILL. */
  async #terminate(a: Active, polite: boolean): Promise<void> {
    const id = a.record.id;
    const grace = this.#opts.stopGraceMs;
    const channel = polite ? this.#deps.stopChannel?.() : undefined;
    if (channel?.requestStop(id, a.stopReason ?? 'stop')) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((r) => {
        timer = setTimeout(r, grace);
      });
      await Promise.race([a.exited.promise, timeout]);
      clearTimeout(timer);
      if (!this.#active.has(id)) return;
    }
    await this.#deps.executor.stop(id, grace);
  }

  async #onExit(id: string, info: ExitInfo): Promise<void> {
    const a = this.#active.get(id);
    if (!a) return;
    await a.started.promise;
    let state: SessionState;
    let reason = info.reason;
    if (info.lost) state = 'lost';
    else if (a.stopReason) {
      state = a.stopAs ?? 'stopped';
      reason = a.stopReason;
    } else if (a.timedOut) {
      state = 'failed';
      reason = `exceeded its max runtime of ${formatDuration(a.record.maxRuntimeMs ?? 0)}`;
    } else if (info.exitCode === 0 && !info.oomKilled) state = 'succeeded';
    else {
      state = 'failed';
      reason ??= info.signal ? `killed by ${info.signal}` : `exited with code ${info.exitCode}`;
    }
    await this.#end(a, state, {
      exitCode: info.exitCode,
      signal: info.signal,
      reason,
      ...(info.oomKilled ? { oomKilled: true } : {}),
    });
  }

  /** Writes the terminal state with its `session.exited` event, frees resources and lets waiting work in. */
  async #end(
    a: Active,
    state: SessionState,
    exit: { exitCode: number | null; signal: string | null; reason: string | undefined; oomKilled?: boolean },
  ): Promise<void> {
    const id = a.record.id;
    clearTimeout(a.maxTimer);
    try {
      a.record = await this.repo.transition(
        id,
        state,
        () => {
          const patch: Partial<SessionRecord> = {
            endedAt: Date.now(),
            exitCode: exit.exitCode,
            signal: exit.signal,
          };
          if (exit.reason !== undefined) patch.reason = exit.reason;
          if (exit.oomKilled) patch.oomKilled = true;
          return patch;
        },
        () => {
          const data = { state, exitCode: exit.exitCode, signal: exit.signal } as {
            state: SessionState;
            exitCode: number | null;
            signal: string | null;
            reason?: string;
            oomKilled?: boolean;
          };
          if (exit.reason !== undefined) data.reason = exit.reason;
          if (exit.oomKilled) data.oomKilled = true;
          return { type: 'session.exited', sessionId: id, data };
        },
      );
    } finally {
      this.#active.delete(id);
      this.#deps.scheduler.release(id);
      this.#deps.stopChannel?.()?.forget?.(id);
      a.started.resolve();
      a.exited.resolve();
      this.kick();
    }
  }

  /** Ends a session that cannot be tracked any more (restart without a process to find). */
  markLost(a: Active, reason: string): Promise<void> {
    return this.#end(a, 'lost', { exitCode: null, signal: null, reason });
  }

  #checkLongRuns(): void {
    if (this.#closed) return;
    const running = [...this.#active.values()]
      .map((a) => a.record)
      .filter((r) => r.state === 'running' && r.startedAt !== undefined && r.demotedAt === undefined)
      .map((r) => ({ sessionId: r.id, pool: r.pool, priority: r.priority, startedAt: r.startedAt! }));
    for (const d of longRunDemotions(running, Date.now(), { thresholdMs: this.#opts.longRunMs })) {
      const a = this.#active.get(d.sessionId);
      if (a) this.#run(this.#demote(a, d.toPool, d.priority, d.ranForMs));
    }
  }

  /**
   * The long-run rule: the session moves to the low-priority pool with a lower priority. Where the executor
   * can yield (local: lowest CPU priority), the scheduler also stops counting the session's CPUs, so waiting
   * work is placed beside it; its memory and GPUs stay held, as they cannot be taken back from a live process.
   */
  async #demote(a: Active, pool: string, priority: number, ranForMs: number): Promise<void> {
    const id = a.record.id;
    a.record = { ...a.record, demotedAt: Date.now() };
    const { executor, scheduler } = this.#deps;
    let placement = a.record.placement;
    let yielded = false;
    if (placement && executor.yield && (await executor.yield(id))) {
      const held = scheduler.release(id);
      if (held) {
        placement = { ...held, cpus: YIELDED_CPUS };
        yielded = this.restorePlacement(placement);
      }
    }
    const reason =
      `ran ${formatDuration(ranForMs)} (> ${formatDuration(this.#opts.longRunMs)}) in pool ${a.record.pool}` +
      (yielded ? '; CPUs yielded to waiting work' : '');
    a.record = await this.repo.update(
      id,
      () => {
        const patch: Partial<SessionRecord> = { pool, priority, demotedAt: a.record.demotedAt!, yielded };
        if (placement) patch.placement = placement;
        return patch;
      },
      () => ({ type: 'session.demoted', sessionId: id, data: { pool, priority, reason } }),
    );
    this.kick();
  }
}
