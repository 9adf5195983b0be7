/**
 * A gang's ranks through the executor: each rank is a job of its own (keyed `id.rank`), started, re-attached,
 * recovered and stopped together, so that to the rest of the runtime the gang is one session.
 */
import {
  type ExecHandle,
  type ExecHooks,
  type Executor,
  type ExitInfo,
  swarmHostname,
} from '../executors/index.js';
import type { Placement, RankPlacement } from '../scheduler/index.js';
import { freePort } from '../util/free-port.js';
import type { Active } from './active.js';
import { execSpec } from './exec-spec.js';
import { rankKey } from './ids.js';
import type { SessionOptions } from './options.js';
import type { SessionRepo } from './repo.js';
import type { RankProcess, Rendezvous } from './types.js';

export interface GangContext {
  executor: Executor;
  repo: SessionRepo;
  opts: SessionOptions;
  /** The hooks of one rank: its output tagged with the rank, its exit counted by the gang. */
  hooks: (a: Active, rank: number) => ExecHooks;
}

const ranksOf = (a: Active): number[] => Array.from({ length: a.record.replicas ?? 1 }, (_, r) => r);

/** What the executor tracks a session's processes by: its id, or one key per rank for a gang. */
export const execKeys = (a: Active): string[] =>
  a.record.replicas === undefined ? [a.record.id] : ranksOf(a).map((r) => rankKey(a.record.id, r));

/** The ranks with their handles set (the first `handles.length` of them). */
export const withHandles = (ranks: RankProcess[] | undefined, handles: ExecHandle[]): RankProcess[] =>
  (ranks ?? []).map((r) => (handles[r.rank] ? { ...r, handle: handles[r.rank]! } : r));

/**
 * Where rank 0 will listen for the others, chosen when the gang is placed, with a port free on this machine now.
 * Ranks that all run here (local processes, containers on the host network of this machine's engine, or swarm tasks
 * on rank 0's node) meet on the loopback address; spread over swarm nodes, at rank 0's node by its hostname (tasks
 * run on the host network).
 */
export async function rendezvousFor(p: Placement & { ranks: RankPlacement[] }): Promise<Rendezvous> {
  const zero = p.ranks[0]!.node;
  const together = p.ranks.every((r) => r.node === zero);
  return { addr: together ? '127.0.0.1' : swarmHostname(zero), port: await freePort() };
}

/** Stops every process of the session (SIGTERM, SIGKILL after the grace) and waits for them. */
export async function stopAll(executor: Executor, a: Active, graceMs: number): Promise<void> {
  await Promise.all(execKeys(a).map((k) => executor.stop(k, graceMs)));
}

/**
 * Starts every rank; if one cannot start, those already started are stopped (their exits no longer counted) and
 * the error is thrown, so the session fails with nothing left running.
 */
export async function startRanks(ctx: GangContext, a: Active): Promise<ExecHandle[]> {
  const handles: ExecHandle[] = [];
  try {
    for (const rank of ranksOf(a)) {
      handles.push(await ctx.executor.start(execSpec(ctx.opts, a.record, rank), ctx.hooks(a, rank)));
    }
    return handles;
  } catch (err) {
    a.gang!.abandoned = true;
    await stopAll(ctx.executor, a, ctx.opts.stopGraceMs);
    throw err;
  }
}

/**
 * The previous manager stopped while the gang was starting: the handles of the ranks the executor still knows,
 * by rank (holes for the others); undefined when it knows none.
 */
export async function recoverRanks(ctx: GangContext, a: Active): Promise<ExecHandle[] | undefined> {
  const found = await Promise.all(
    ranksOf(a).map((r) => ctx.executor.recover(execSpec(ctx.opts, a.record, r))),
  );
  if (found.every((h) => h === undefined)) return undefined;
  return found as ExecHandle[];
}

const LOST: ExitInfo = {
  exitCode: null,
  signal: null,
  lost: true,
  reason: 'had no process to re-attach after a manager restart',
};

/**
 * Follows every rank again after a restart. A rank whose exit was recorded counts with it; one without a handle
 * counts as lost. A failing rank found here could not stop ranks attached after it: the caller stops the gang then.
 */
export async function attachRanks(ctx: GangContext, a: Active): Promise<void> {
  const id = a.record.id;
  for (const r of a.record.ranks ?? []) {
    const hooks = ctx.hooks(a, r.rank);
    if (r.exitCode !== undefined) await hooks.exit({ exitCode: r.exitCode, signal: r.signal ?? null });
    else if (!r.handle) await hooks.exit(LOST);
    else {
      const offsets = await ctx.repo.outputOffsets(id, r.rank);
      await ctx.executor.attach(execSpec(ctx.opts, a.record, r.rank), r.handle, hooks, offsets);
    }
  }
}
