/**
 * After a manager restart, every session the previous manager left active ends up in a truthful state:
 * queued ones are queued again, placed ones start, running ones are re-attached when their process is alive
 * and provably theirs (pid + start time), finished ones get their recorded exit status, the rest become `lost`.
 */
import type { ExecHandle, ExecHooks, ExecSpec, Executor } from '../executors/index.js';
import type { Placement } from '../scheduler/index.js';
import type { Active } from './active.js';
import type { SessionRepo } from './repo.js';
import { startedData } from './started.js';
import type { SessionRecord } from './types.js';

/** What reconciliation needs from the manager. */
export interface ReconcileHost {
  readonly repo: SessionRepo;
  readonly executor: Executor;
  adopt(record: SessionRecord): Active;
  enqueue(record: SessionRecord): void;
  restorePlacement(p: Placement): boolean;
  execSpec(record: SessionRecord): ExecSpec;
  hooks(id: string): ExecHooks;
  startPlaced(a: Active): Promise<void>;
  armMaxRuntime(a: Active): void;
  markLost(a: Active, reason: string): Promise<void>;
  run(task: Promise<unknown>): void;
}

export async function reconcile(host: ReconcileHost, records: SessionRecord[]): Promise<void> {
  // Live placements first, so queued work cannot take what running sessions still hold.
  const queued: SessionRecord[] = [];
  for (const r of records) {
    if (r.state === 'queued') {
      queued.push(r);
      continue;
    }
    const a = host.adopt(r);
    if (r.placement) host.restorePlacement(r.placement);
    if (r.state === 'placed') host.run(host.startPlaced(a));
    else if (r.state === 'starting') await resumeStarting(host, a);
    else if (r.state === 'running') await resume(host, a, r.handle);
  }
  for (const r of queued) {
    host.adopt(r);
    host.enqueue(r);
  }
}

/** The previous manager died between spawning and recording `running`: the executor may still know the process. */
async function resumeStarting(host: ReconcileHost, a: Active): Promise<void> {
  const id = a.record.id;
  const handle = await host.executor.recover(host.execSpec(a.record));
  if (!handle) {
    a.started.resolve();
    await host.markLost(a, 'the manager stopped while the session was starting and no process was found');
    return;
  }
  a.record = await host.repo.transition(
    id,
    'running',
    () => ({ handle, startedAt: Date.now() }),
    () => ({ type: 'session.started', sessionId: id, data: { ...startedData(handle), attached: true } }),
  );
  await attach(host, a, handle, false);
}

async function resume(host: ReconcileHost, a: Active, handle: ExecHandle | undefined): Promise<void> {
  const known = host.executor.handles ?? [host.executor.name];
  if (!handle || !known.includes(handle.executor)) {
    a.started.resolve();
    const why = handle ? `it ran under executor ${handle.executor}` : 'no process was recorded';
    await host.markLost(a, `cannot re-attach after a manager restart: ${why}`);
    return;
  }
  await attach(host, a, handle, true);
}

async function attach(host: ReconcileHost, a: Active, handle: ExecHandle, announce: boolean): Promise<void> {
  const id = a.record.id;
  a.started.resolve();
  const offsets = await host.repo.outputOffsets(id);
  const alive = await host.executor.attach(host.execSpec(a.record), handle, host.hooks(id), offsets);
  if (!alive) return; // the executor already reported the outcome through the exit hook
  if (announce) {
    a.record = await host.repo.update(
      id,
      () => ({}),
      () => ({ type: 'session.started', sessionId: id, data: { ...startedData(handle), attached: true } }),
    );
  }
  host.armMaxRuntime(a);
}
