/** What the executor needs from either way of running a session: a plain container or a swarm service. */
import type Docker from 'dockerode';
import type { ExecHandle, ExecSpec, ExitInfo } from '../types.js';
import { isNotFound, statusOf } from './engine.js';
import type { LogSink } from './logs.js';

/** A tracked session as the runtimes see it. */
export interface DockerSession {
  readonly spec: ExecSpec;
  readonly handle: ExecHandle;
  readonly sink: LogSink;
  /** Aborted when the executor stops tracking (close): leave the container alone, report nothing. */
  readonly abort: AbortSignal;
  /** The signal our stop or `signal()` asked for, if any. */
  killed: NodeJS.Signals | undefined;
  /** The session's container on this engine, once known (a swarm task may be pending or on another node). */
  container: string | undefined;
}

export type DockerIds = Pick<ExecHandle, 'container' | 'service'>;

/** `running` includes a swarm task still waiting for its node; `lost` says why nothing of it is left. */
export type Liveness = 'running' | 'ended' | { lost: string };

export interface Runtime {
  /** Creates and starts it; rejects with nothing left behind. */
  create(spec: ExecSpec): Promise<DockerIds>;
  /** What carries the session's label, if anything. */
  find(sessionId: string): Promise<DockerIds | undefined>;
  liveness(s: DockerSession): Promise<Liveness>;
  /** Copies the output into the session's files until it ended, then says how it ended. */
  follow(s: DockerSession): Promise<ExitInfo>;
  /** Stop request: SIGTERM, SIGKILL after `graceMs`; `follow` then sees the end. */
  stop(s: DockerSession, graceMs: number): Promise<void>;
  remove(s: DockerSession): Promise<void>;
}

/** `docker stop`: the engine sends SIGTERM, then SIGKILL after the grace (whole seconds). */
export async function stopContainer(docker: Docker, id: string, graceMs: number): Promise<void> {
  try {
    await docker.getContainer(id).stop({ t: Math.ceil(graceMs / 1000) });
  } catch (err) {
    if (statusOf(err) !== 304 && !isNotFound(err)) throw err; // already stopped or gone: fine
  }
}
