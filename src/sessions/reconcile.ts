/**
 * After a manager restart, every session the previous manager left active ends up in a truthful state:
 * queued ones are queued again, placed ones start, running ones are re-attached when their process is alive
 * and provably theirs (pid + start time), finished ones get their recorded exit status, the rest become `lost`.
 */
import type { ExecHandle } from '../executors/index.js';
import type { Active } from './active.js';
import type { SessionRecord } from './types.js';

/** What reconciliation drives: the session runtime. */
export interface ReconcileHost {
  adopt(record: SessionRecord): Active;
  queue(record: SessionRecord): void;
  startPlaced(a: Active): void;
  recover(a: Active): Promise<ExecHandle | undefined>;
  attach(a: Active, handle: ExecHandle, announce: boolean): Promise<boolean>;
  markLost(a: Active, reason: string): Promise<void>;
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
    if (r.state === 'placed') host.startPlaced(a);
    else if (r.state === 'starting') await resumeStarting(host, a);
    else if (r.state === 'running') await resume(host, a, r.handle);
  }
  for (const r of queued) host.queue(r);
}

/** The previous manager died between spawning and recording `running`: the executor may still know the process. */
async function resumeStarting(host: ReconcileHost, a: Active): Promise<void> {
  const handle = await host.recover(a);
  if (!handle) {
    a.started.resolve();
    await host.markLost(a, 'the manager stopped while the session was starting and no process was found');
    return;
  }
  await host.attach(a, handle, false);
}

async function resume(host: ReconcileHost, a: Active, handle: ExecHandle | undefined): Promise<void> {
  if (handle && (await host.attach(a, handle, true))) return;
  a.started.resolve();
  const why = handle ? `it ran under executor ${handle.executor}` : 'no process was recorded';
  await host.markLost(a, `cannot re-attach after a manager restart: ${why}`);
}
