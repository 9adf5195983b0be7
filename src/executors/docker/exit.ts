/** How a container or swarm task ended, as the `ExitInfo` the session manager records. */
import { outcome } from '../local/index.js';
import { oomExit } from '../oom.js';
import type { ExitInfo } from '../types.js';

/** The fields of a container's `State` (inspect) that tell how it ended. */
export interface ContainerState {
  ExitCode: number;
  OOMKilled: boolean;
}

const oom = (exitCode: number, memoryMb: number, inferred = false): ExitInfo =>
  oomExit({ exitCode, signal: null }, memoryMb, inferred);

/** A SIGKILL (exit 137) we did not send, to a memory-limited container: the OOM killer is its one other sender. */
const unexplainedKill = (code: number, memoryMb: number, killed: NodeJS.Signals | undefined): boolean =>
  code === 137 && !killed && memoryMb > 0;

/**
 * Exit of an ended container. Docker can record the exit before the OOM event that caused it (seen on cgroup v2,
 * `OOMKilled` still false): an unexplained SIGKILL of a memory-limited container is then taken for the OOM killer,
 * and the reason says it was inferred.
 */
export function containerExit(
  state: ContainerState,
  ctx: { memoryMb: number; killed: NodeJS.Signals | undefined },
): ExitInfo {
  if (state.OOMKilled) return oom(state.ExitCode, ctx.memoryMb);
  if (unexplainedKill(state.ExitCode, ctx.memoryMb, ctx.killed))
    return oom(state.ExitCode, ctx.memoryMb, true);
  return outcome(state.ExitCode, null);
}

/** The fields of a swarm task (`GET /tasks`) used here. */
export interface SwarmTask {
  ID: string;
  NodeID?: string;
  CreatedAt?: string;
  DesiredState?: string;
  Status: {
    State: string;
    Err?: string;
    ContainerStatus?: { ContainerID?: string; ExitCode?: number };
  };
}

const ENDED = new Set(['complete', 'failed', 'shutdown', 'rejected', 'orphaned', 'remove']);

export const taskEnded = (task: SwarmTask): boolean => ENDED.has(task.Status.State);

export interface TaskContext {
  memoryMb: number;
  /** The signal our stop or `signal()` asked for, if any. */
  killed: NodeJS.Signals | undefined;
  /** From inspecting the task's container, when it ran on this engine. */
  oomKilled: boolean | undefined;
}

/**
 * Exit of an ended task. A container on another node cannot be inspected, so there an unexplained SIGKILL of a
 * memory-limited task is taken for the OOM killer, the only other sender of it.
 */
export function taskExit(task: SwarmTask, ctx: TaskContext): ExitInfo {
  const { State, Err } = task.Status;
  const code = task.Status.ContainerStatus?.ExitCode ?? 0;
  switch (State) {
    case 'complete':
      return outcome(code, null);
    case 'failed':
      if (ctx.oomKilled) return oom(code, ctx.memoryMb);
      if (ctx.oomKilled === undefined && unexplainedKill(code, ctx.memoryMb, ctx.killed)) {
        return oom(code, ctx.memoryMb, true);
      }
      // Exit code 0 yet failed: the container never ran its command (bad command, mount, ...).
      if (code === 0) return { exitCode: null, signal: null, reason: `the task failed: ${Err ?? 'unknown'}` };
      return outcome(code, null);
    case 'rejected':
      return { exitCode: null, signal: null, reason: `the swarm rejected the task: ${Err ?? 'unknown'}` };
    case 'orphaned':
      return { exitCode: null, signal: null, lost: true, reason: 'its node left the swarm' };
    default:
      // shutdown / remove: the swarm stopped it, at our request if `killed` is set.
      if (code > 0) return outcome(code, null);
      if (ctx.killed) return { exitCode: null, signal: ctx.killed };
      return { exitCode: null, signal: null, reason: 'the swarm shut the task down' };
  }
}
