/**
 * Preemption on live sessions: which running sessions may yield to waiting work (demoted by the long-run rule,
 * declared restartable by their job; a gang yields all its ranks), what their job is told, and where their next
 * attempt goes.
 */
import { PREEMPTED } from '../api/index.js';
import type { NodeEngine, Preemption, Scheduler, Victim } from '../scheduler/index.js';
import type { Active } from './active.js';
import type { SessionRecord, SessionSpec } from './types.js';

/** The least time between two preemption what-ifs. */
const GAP_MS = 1000;

/** Running sessions that may be preempted, and those already asked to yield. */
function candidates(active: Iterable<Active>): { victims: Victim[]; pending: string[] } {
  const victims: Victim[] = [];
  const pending: string[] = [];
  for (const a of active) {
    const r = a.record;
    if (a.preemptedBy !== undefined) pending.push(r.id);
    else if (
      r.state === 'running' &&
      r.checkpointable &&
      r.demotedAt !== undefined &&
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
  const fits = scheduler.canEverFit(old.resources, spec.pool, spec.labels, engine, old.replicas ?? 1).ok;
  if (fits) return spec;
  const ranOn = scheduler.nodes().find((n) => n.name === old.placement?.node)?.pool;
  return ranOn === undefined ? spec : { ...spec, pool: ranOn };
}

export interface PreemptorDeps {
  scheduler: Scheduler;
  active: () => Iterable<Active>;
  /** Stops a session for the waiting one (the runtime's stop path, with the `preempted` reason). */
  preempt: (p: Preemption) => void;
  /** Called when a deferred check is due (the runtime then runs a placement pass, which checks again). */
  later: () => void;
}

/**
 * Runs the scheduler's preemption what-if after placement passes. It walks the queue (tens of ms for thousands
 * waiting and hundreds of victims), so it runs at most once per GAP_MS, a call in between deferred, never dropped.
 */
export class Preemptor {
  readonly #deps: PreemptorDeps;
  #last = Number.NEGATIVE_INFINITY;
  #timer: NodeJS.Timeout | undefined;

  constructor(deps: PreemptorDeps) {
    this.#deps = deps;
  }

  check(now: number): void {
    const { victims, pending } = candidates(this.#deps.active());
    if (victims.length === 0 || this.#timer) return;
    const wait = this.#last + GAP_MS - now;
    if (wait > 0) {
      this.#timer = setTimeout(() => {
        this.#timer = undefined;
        this.#deps.later();
      }, wait);
      this.#timer.unref();
      return;
    }
    this.#last = now;
    for (const p of this.#deps.scheduler.preemptions(now, victims, pending)) this.#deps.preempt(p);
  }

  close(): void {
    clearTimeout(this.#timer);
  }
}
