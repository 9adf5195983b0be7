/**
 * A session's processes, one or a gang's ranks: started or found again after a restart, and recorded `running`
 * with their handles. What happens around them (stops, exits, timers) is the runtime's.
 */
import type { ExecHandle, ExecHooks } from '../executors/index.js';
import type { Active } from './active.js';
import { execSpec } from './exec-spec.js';
import { GangExits } from './gang.js';
import { type GangContext, recoverRanks, startRanks, withHandles } from './gang-exec.js';
import { runningPatch, startedEvent } from './started.js';

export interface ProcessContext extends GangContext {
  /** The hooks of a plain session's one process. */
  sessionHooks: (id: string) => ExecHooks;
}

/** What was started or found: the session's handle (a gang: rank 0's) and, for a gang, every rank's. */
export interface Started {
  handle: ExecHandle;
  handles?: ExecHandle[];
}

/** Starts the processes of a `starting` session; an executor's failure is thrown, with nothing recorded. */
export async function startProcesses(ctx: ProcessContext, a: Active): Promise<Started> {
  if (a.record.replicas === undefined) {
    return { handle: await ctx.executor.start(execSpec(ctx.opts, a.record), ctx.sessionHooks(a.record.id)) };
  }
  a.gang = new GangExits(a.record.replicas);
  const handles = await startRanks(ctx, a);
  return { handle: handles[0]!, handles };
}

/** The processes of a session a previous manager left `starting`, if the executor still knows them. */
export async function recoverProcesses(ctx: ProcessContext, a: Active): Promise<Started | undefined> {
  if (a.record.replicas === undefined) {
    const handle = await ctx.executor.recover(execSpec(ctx.opts, a.record));
    return handle && { handle };
  }
  const handles = await recoverRanks(ctx, a);
  const handle = handles?.find((h) => h !== undefined);
  return handle && handles && { handle, handles };
}

/** Writes the `running` transition with the handles and its `session.started` event. */
export async function recordRunning(
  ctx: ProcessContext,
  a: Active,
  s: Started,
  recovered: boolean,
): Promise<void> {
  const id = a.record.id;
  a.record = await ctx.repo.transition(
    id,
    'running',
    (cur) => ({
      ...runningPatch(cur, s.handle),
      ...(s.handles ? { ranks: withHandles(cur.ranks, s.handles) } : {}),
    }),
    () => startedEvent(id, s.handle, recovered),
  );
}
