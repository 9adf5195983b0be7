/**
 * Preemption on live sessions: which running sessions may yield to waiting work (demoted by the long-run rule,
 * declared restartable by their job, plain), what their job is told, and where their next attempt goes.
 */
import { PREEMPTED } from '../api/index.js';
import type { NodeEngine, Preemption, Scheduler, Victim } from '../scheduler/index.js';
import type { Active } from './active.js';
import type { SessionRecord, SessionSpec } from './types.js';

/** Running sessions that may be preempted, and those already asked to yield. */
export function candidates(active: Iterable<Active>): { victims: Victim[]; pending: string[] } {
  const victims: Victim[] = [];
  const pending: string[] = [];
  for (const a of active) {
    const r = a.record;
    if (a.preemptedBy !== undefined) pending.push(r.id);
    else if (
      r.state === 'running' &&
      r.checkpointable &&
      r.demotedAt !== undefined &&
      r.replicas === undefined &&
      a.stopReason === undefined
    )
      victims.push({ sessionId: r.id, priority: r.priority });
  }
  return { victims, pending };
}

/** What the record and the `session.stop-requested` event say. */
export const preemptReason = (p: Preemption): string =>
  `${PREEMPTED}: session ${p.for} (priority ${p.forPriority}) needs its resources on node ${p.node}`;

/**
 * The next attempt of a preempted session keeps its demoted pool and priority, so it does not take back at once
 * what it yielded; where no node of that pool could ever hold it, it goes back to the pool of the node it ran on.
 */
export function resubmitSpec(
  spec: SessionSpec,
  old: SessionRecord,
  scheduler: Scheduler,
  engine: NodeEngine,
): SessionSpec {
  const fits = scheduler.canEverFit(old.resources, spec.pool, spec.labels, engine).ok;
  if (fits) return spec;
  const ranOn = scheduler.nodes().find((n) => n.name === old.placement?.node)?.pool;
  return ranOn === undefined ? spec : { ...spec, pool: ranOn };
}
