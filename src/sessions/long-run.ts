/** The long-run rule on live sessions: which are due, and what demoting one writes and frees. */
import type { Executor } from '../executors/index.js';
import { type Demotion, longRunDemotions, type Placement, type Scheduler } from '../scheduler/index.js';
import { formatDuration } from '../util/duration.js';
import type { Active } from './active.js';
import { rankKey } from './ids.js';
import type { SessionRepo } from './repo.js';
import type { SessionRecord } from './types.js';

/** A token CPU a yielded session keeps, as the scheduler needs every placement to hold something. */
const YIELDED_CPUS = 0.001;

/** Running sessions not demoted yet that ran past the threshold. */
export function dueForDemotion(active: Iterable<Active>, now: number, thresholdMs: number): Demotion[] {
  const running = [...active]
    .map((a) => a.record)
    .filter((r) => r.state === 'running' && r.startedAt !== undefined && r.demotedAt === undefined)
    .map((r) => ({ sessionId: r.id, pool: r.pool, priority: r.priority, startedAt: r.startedAt! }));
  return longRunDemotions(running, now, { thresholdMs });
}

export interface DemoteDeps {
  executor: Executor;
  scheduler: Scheduler;
  repo: SessionRepo;
  /** Re-applies a placement; false when the nodes no longer allow it. */
  restore: (p: Placement) => boolean;
  longRunMs: number;
}

/** Yields every process of the session (each rank of a gang); true only when all of them did. */
async function yieldAll(executor: Executor, r: SessionRecord): Promise<boolean> {
  const jobs = r.replicas === undefined ? [r.id] : (r.ranks ?? []).map((x) => rankKey(r.id, x.rank));
  const done = await Promise.all(jobs.map((j) => executor.yield!(j)));
  return jobs.length > 0 && done.every(Boolean);
}

/**
 * The session moves to the low-priority pool with a lower priority. Where the executor can yield (local: lowest
 * CPU priority), the scheduler also stops counting the session's CPUs, so waiting work is placed beside it; its
 * memory and GPUs stay held, as they cannot be taken back from a live process.
 */
export async function demote(deps: DemoteDeps, a: Active, d: Demotion): Promise<void> {
  const id = a.record.id;
  const { toPool: pool, priority } = d;
  a.record = { ...a.record, demotedAt: Date.now() };
  const { executor, scheduler } = deps;
  let placement = a.record.placement;
  let yielded = false;
  if (placement && executor.yield && (await yieldAll(executor, a.record))) {
    const held = scheduler.release(id);
    if (held) {
      placement = { ...held, cpus: YIELDED_CPUS };
      yielded = deps.restore(placement);
    }
  }
  const reason =
    `ran ${formatDuration(d.ranForMs)} (> ${formatDuration(deps.longRunMs)}) in pool ${a.record.pool}` +
    (yielded ? '; CPUs yielded to waiting work' : '');
  a.record = await deps.repo.update(
    id,
    () => {
      const patch: Partial<SessionRecord> = { pool, priority, demotedAt: a.record.demotedAt!, yielded };
      if (placement) patch.placement = placement;
      return patch;
    },
    () => ({ type: 'session.demoted', sessionId: id, data: { pool, priority, reason } }),
  );
}
