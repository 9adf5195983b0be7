/**
 * Runs active sessions: placement passes, start, stop (the SDK, then SIGTERM, then SIGKILL), exit, and the timers
 * (max runtime, the long-run rule). It holds the in-memory companion of each active session; after a restart,
 * reconciliation hands it what the previous manager left.
 */
import { PREEMPTED } from '../api/index.js';
import type { ExecHandle, ExecHooks, ExitInfo, SessionUsage } from '../executors/index.js';
import type { Placement } from '../scheduler/index.js';
import { type Active, deferred } from './active.js';
import { type Ending, endingOf, endPatch, exitedData, withoutExit } from './ending.js';
import { execSpec } from './exec-spec.js';
import { GangExits, withRankExit } from './gang.js';
import { attachRanks, rendezvousFor, stopAll } from './gang-exec.js';
import { type DemoteDeps, demote, dueForDemotion } from './long-run.js';
import { armMaxRuntime } from './max-runtime.js';
import type { SessionDeps, SessionOptions } from './options.js';
import { keepOutput } from './output.js';
import { Preemptor, preemptReason } from './preempt.js';
import {
  type ProcessContext,
  recordRunning,
  recoverProcesses,
  type Started,
  startProcesses,
} from './processes.js';
import type { ReconcileHost } from './reconcile.js';
import type { SessionRepo } from './repo.js';
import { startedEvent } from './started.js';
import { isTerminal } from './states.js';
import { demandOf } from './submit.js';
import type { RankProcess, SessionRecord } from './types.js';

export type RuntimeDeps = Pick<
  SessionDeps,
  'scheduler' | 'executor' | 'logger' | 'stopChannel' | 'artifacts'
> & {
  repo: SessionRepo;
  /** Submits the next attempt of a session that ended preempted. */
  resubmit: (id: string) => Promise<unknown>;
};

export class SessionRuntime implements ReconcileHost {
  readonly #deps: RuntimeDeps;
  readonly #opts: SessionOptions;
  readonly #demoteDeps: DemoteDeps;
  readonly #gang: ProcessContext;
  readonly #active = new Map<string, Active>();
  readonly #tasks = new Set<Promise<unknown>>();
  #kickPending = false;
  /** No placement before reconciliation has re-applied what running sessions hold. */
  #ready = false;
  #tick: NodeJS.Timeout | undefined;
  readonly #preemptor: Preemptor;
  #closed = false;

  constructor(deps: RuntimeDeps, options: SessionOptions) {
    this.#deps = deps;
    this.#opts = options;
    this.#demoteDeps = { ...deps, restore: (p) => this.#restore(p), longRunMs: options.longRunMs };
    this.#gang = {
      ...deps,
      opts: options,
      hooks: (a, rank) => this.#rankHooks(a, rank),
      sessionHooks: (id) => this.#hooks(id),
    };
    this.#preemptor = new Preemptor({
      scheduler: deps.scheduler,
      active: () => this.#active.values(),
      preempt: (p) => this.#run(this.stop(p.sessionId, preemptReason(p), 'stopped', p.for)),
      later: () => this.kick(),
    });
  }

  /** Starts placing and the long-run rule; called once reconciliation is done. */
  start(): void {
    this.#ready = true;
    this.#tick = setInterval(() => this.#checkLongRuns(), this.#opts.longRunCheckMs);
    this.#tick.unref();
    this.kick();
  }

  /** Tracks a record the previous manager left active, re-applying its placement. */
  adopt(record: SessionRecord): Active {
    const a = this.#track(record);
    if (record.placement) this.#restore(record.placement);
    return a;
  }

  /** Tracks a queued record and lets the scheduler place it. */
  queue(record: SessionRecord): void {
    this.#track(record);
    this.#deps.scheduler.enqueue(demandOf(record, this.#opts.containerEngine));
    this.kick();
  }

  /** placed → starting → running, in the background. */
  startPlaced(a: Active): void {
    this.#run(this.#startPlaced(a));
  }

  /** The process of a session left `starting`, if the executor still knows it; recorded `running` then. */
  async recover(a: Active): Promise<ExecHandle | undefined> {
    const found = await recoverProcesses(this.#gang, a);
    if (found) await recordRunning(this.#gang, a, found, true);
    return found?.handle;
  }

  /**
   * Follows a running session's process again (its output resumes where its log ends), announced with a
   * `session.started` event if asked; false when the handle is of an executor this manager does not run.
   */
  async attach(a: Active, handle: ExecHandle, announce: boolean): Promise<boolean> {
    const { executor, repo } = this.#deps;
    if (!(executor.handles ?? [executor.name]).includes(handle.executor)) return false;
    const id = a.record.id;
    a.started.resolve();
    let alive: boolean;
    if (a.record.replicas === undefined) {
      const offsets = await repo.outputOffsets(id);
      alive = await executor.attach(execSpec(this.#opts, a.record), handle, this.#hooks(id), offsets);
    } else {
      a.gang = new GangExits(a.record.replicas);
      await attachRanks(this.#gang, a);
      if (a.gang.failedRank !== undefined) this.#run(stopAll(executor, a, this.#opts.stopGraceMs));
      alive = this.#active.has(id);
    }
    if (!alive) return true; // the executor already reported the outcome through the exit hook
    if (announce) {
      a.record = await repo.update(
        id,
        () => ({}),
        () => startedEvent(id, handle, true),
      );
    }
    this.#armMaxRuntime(a);
    return true;
  }

  /** Ends a session that cannot be tracked any more (restart without a process to find). */
  markLost(a: Active, reason: string): Promise<void> {
    return this.#end(a, withoutExit('lost', reason));
  }

  /**
   * See `SessionManager.stop`; undefined when the session is not active here. `preemptedBy`: the stop makes room
   * for that waiting session; the job is told `preempted` and its next attempt is submitted once it ended.
   */
  async stop(
    id: string,
    reason: string,
    as: 'stopped' | 'rejected',
    preemptedBy?: string,
  ): Promise<SessionRecord | undefined> {
    const a = this.#active.get(id);
    if (!a || isTerminal(a.record.state)) return undefined;
    if (a.stopReason) return a.record;
    a.stopReason = reason;
    a.stopAs = as;
    if (preemptedBy !== undefined) a.preemptedBy = preemptedBy;
    a.record = await this.#deps.repo.update(
      id,
      () => ({ stopRequestedAt: Date.now() }),
      () => ({ type: 'session.stop-requested', sessionId: id, data: { reason } }),
    );
    if (this.#deps.scheduler.remove(id)) {
      await this.#end(a, withoutExit(as, reason));
      return a.record;
    }
    if (a.record.state === 'running') this.#run(this.#terminate(a, true));
    return a.record;
  }

  /** Changes fields other than the state, keeping the in-memory copy of an active session current. */
  async update(id: string, patch: (cur: SessionRecord) => Partial<SessionRecord>): Promise<SessionRecord> {
    const record = await this.#deps.repo.update(id, patch);
    const a = this.#active.get(id);
    if (a) a.record = { ...a.record, ...patch(a.record) };
    return record;
  }

  /** Records of the sessions this manager runs now (state `running`). */
  running(): SessionRecord[] {
    return [...this.#active.values()].flatMap((a) => (a.record.state === 'running' ? [a.record] : []));
  }

  /** Schedules a placement pass soon; many calls in one tick make one pass. */
  kick(): void {
    if (this.#closed || !this.#ready || this.#kickPending) return;
    this.#kickPending = true;
    setImmediate(() => {
      this.#kickPending = false;
      if (this.#closed) return;
      const now = Date.now();
      for (const p of this.#deps.scheduler.schedule(now)) this.#run(this.#launch(p));
      this.#preemptor.check(now);
    });
  }

  /** Stops scheduling and tracking; running processes keep running and are re-attached by the next manager. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    clearInterval(this.#tick);
    this.#preemptor.close();
    for (const a of this.#active.values()) clearTimeout(a.maxTimer);
    // Launches under way finish first, so what they started is recorded and can be re-attached later.
    await Promise.allSettled([...this.#tasks]);
    await this.#deps.executor.close();
  }

  #track(record: SessionRecord): Active {
    const a: Active = { record, started: deferred(), exited: deferred() };
    this.#active.set(record.id, a);
    return a;
  }

  /** Re-applies a persisted placement; false (and a warning) when the nodes no longer allow it. */
  #restore(p: Placement): boolean {
    const { rejected } = this.#deps.scheduler.restore([p]);
    for (const r of rejected)
      this.#deps.logger.warn({ sessionId: p.sessionId, reason: r.reason }, 'placement not restored');
    return rejected.length === 0;
  }

  #hooks(id: string): ExecHooks {
    return {
      output: (batch) => this.#deps.repo.appendOutput(id, batch),
      exit: (info, usage) => this.#onExit(id, info, usage),
    };
  }

  /** One rank of a gang: output tagged with the rank; the first failing rank stops the rest, the last exit ends it. */
  #rankHooks(a: Active, rank: number): ExecHooks {
    const id = a.record.id;
    return {
      output: (batch) => this.#deps.repo.appendOutput(id, batch, rank),
      exit: async (info, usage) => {
        const { stopOthers, outcome } = a.gang!.add(rank, info, usage);
        if (stopOthers) this.#run(stopAll(this.#deps.executor, a, this.#opts.stopGraceMs));
        if (a.gang!.abandoned) return;
        await a.started.promise;
        if (!this.#active.has(id)) return;
        a.record = await this.#deps.repo.update(id, (cur) => ({
          ranks: withRankExit(cur.ranks, rank, info),
        }));
        if (!outcome) return;
        const ending = endingOf(a, outcome.info);
        if (outcome.usage) ending.usage = outcome.usage;
        if (ending.state === 'failed' && outcome.rank !== undefined) ending.rank = outcome.rank;
        await this.#end(a, ending);
      },
    };
  }

  /** Tracks background work so close() can wait for it; failures are logged, never unhandled. */
  #run(task: Promise<unknown>): void {
    const t = task.catch((err) => this.#deps.logger.error({ err }, 'session task failed'));
    this.#tasks.add(t);
    void t.finally(() => this.#tasks.delete(t));
  }

  async #launch(p: Placement): Promise<void> {
    const a = this.#active.get(p.sessionId);
    if (!a) {
      this.#deps.scheduler.release(p.sessionId);
      return;
    }
    const ranks = p.ranks;
    const gang: Partial<SessionRecord> = ranks
      ? {
          ranks: ranks.map((r, rank): RankProcess => ({ rank, node: r.node, gpus: r.gpus })),
          rendezvous: await rendezvousFor({ ...p, ranks }),
        }
      : {};
    a.record = await this.#deps.repo.transition(
      p.sessionId,
      'placed',
      () => ({ placement: p, placedAt: Date.now(), ...gang }),
      () => ({
        type: 'session.placed',
        sessionId: p.sessionId,
        data: {
          node: p.node,
          gpus: p.gpus,
          cpus: p.cpus,
          memoryMb: p.memoryMb,
          ...(p.ranks ? { ranks: p.ranks.map((r) => r.node) } : {}),
        },
      }),
    );
    await this.#startPlaced(a);
  }

  /** A stop asked meanwhile wins; a start failure ends the session `failed`. */
  async #startPlaced(a: Active): Promise<void> {
    const id = a.record.id;
    if (this.#closed) return; // stays `placed`: the next manager starts it
    if (a.stopReason) {
      await this.#end(a, withoutExit(a.stopAs ?? 'stopped', a.stopReason));
      return;
    }
    const { executor, repo } = this.#deps;
    a.record = await repo.transition(
      id,
      'starting',
      () => ({}),
      () => ({ type: 'session.starting', sessionId: id, data: { executor: executor.name } }),
    );
    let started: Started;
    try {
      started = await startProcesses(this.#gang, a);
    } catch (err) {
      await this.#end(a, withoutExit('failed', (err as Error).message));
      return;
    }
    try {
      await recordRunning(this.#gang, a, started, false);
    } finally {
      a.started.resolve();
    }
    this.#armMaxRuntime(a);
    if (a.stopReason) this.#run(this.#terminate(a, true));
  }

  #armMaxRuntime(a: Active): void {
    armMaxRuntime(a, () => this.#run(this.#terminate(a, false)));
  }

  /** Ends a running process: the SDK is asked first when `polite`, then SIGTERM, then SIGKILL. */
  async #terminate(a: Active, polite: boolean): Promise<void> {
    const id = a.record.id;
    const grace = this.#opts.stopGraceMs;
    const channel = polite ? this.#deps.stopChannel?.() : undefined;
    if (channel?.requestStop(id, a.preemptedBy !== undefined ? PREEMPTED : (a.stopReason ?? 'stop'))) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((r) => {
        timer = setTimeout(r, grace);
      });
      await Promise.race([a.exited.promise, timeout]);
      clearTimeout(timer);
      if (!this.#active.has(id)) return;
    }
    await stopAll(this.#deps.executor, a, grace);
  }

  async #onExit(id: string, info: ExitInfo, usage: SessionUsage | undefined): Promise<void> {
    const a = this.#active.get(id);
    if (!a) return;
    await a.started.promise;
    await this.#end(a, usage ? { ...endingOf(a, info), usage } : endingOf(a, info));
  }

  /** Writes the terminal state with its `session.exited` event, frees resources and lets waiting work in. */
  async #end(a: Active, ending: Ending): Promise<void> {
    const id = a.record.id;
    clearTimeout(a.maxTimer);
    await keepOutput(this.#deps, this.#opts.dataDir, a.record);
    const preemptedBy = ending.state === 'stopped' ? a.preemptedBy : undefined;
    const { repo } = this.#deps;
    try {
      a.record = await repo.transition(
        id,
        ending.state,
        () => ({ ...endPatch(ending, Date.now()), ...(preemptedBy ? { preemptedBy } : {}) }),
        () => ({ type: 'session.exited', sessionId: id, data: exitedData(ending) }),
        preemptedBy ? [repo.resubmitOp(a.record)] : [],
      );
      if (preemptedBy) this.#run(this.#deps.resubmit(id));
    } finally {
      this.#active.delete(id);
      this.#deps.scheduler.release(id);
      this.#deps.stopChannel?.()?.forget?.(id);
      a.started.resolve();
      a.exited.resolve();
      this.kick();
    }
  }

  #checkLongRuns(): void {
    if (this.#closed) return;
    for (const d of dueForDemotion(this.#active.values(), Date.now(), this.#opts.longRunMs)) {
      const a = this.#active.get(d.sessionId);
      if (a) this.#run(demote(this.#demoteDeps, a, d).then(() => this.kick()));
    }
  }
}
