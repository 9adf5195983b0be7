/** The contract every executor (local processes now; Docker and Kubernetes later) implements. */
import type { ExecHandle, Isolation, SessionUsage } from '../api/index.js';

export type { ExecHandle, Isolation, SessionUsage };

export type OutputStream = 'stdout' | 'stderr';

/** What to run. The environment is complete: the session contract is built by `sessionEnv`. */
export interface ExecSpec {
  sessionId: string;
  /** argv; run without a shell unless `shell` is set (then joined and given to `sh -c`). */
  command: string[];
  shell: boolean;
  cwd: string;
  env: Record<string, string>;
  /** Per-session directory the executor may use for its own files (captured output, exit status). */
  dir: string;
  /** Container image; set only for sessions a container executor runs (the local executor ignores it). */
  image?: string;
  /** What the scheduler granted; container executors turn it into limits (GPUs as device indices). */
  resources: { cpus: number; memoryMb: number; gpus: number[] };
  /** The node the scheduler chose, the session's pool and required labels (swarm placement constraints). */
  node: string;
  pool: string;
  labels: Record<string, string>;
  /** Keep the container (or service) after the session ended; default: removed. */
  keep?: boolean;
}

/** Bytes of each captured stream already delivered; persisted so a restart resumes without gap or duplicate. */
export interface OutputOffsets {
  stdout: number;
  stderr: number;
}

export interface OutputBatch {
  stream: OutputStream;
  lines: string[];
  /** Offsets once this batch is consumed. */
  offsets: OutputOffsets;
}

export interface ExitInfo {
  exitCode: number | null;
  signal: string | null;
  /** True when the process was gone and its outcome cannot be known (the session is `lost`). */
  lost?: boolean;
  /** True when the kernel's OOM killer ended it (a container or a local session's cgroup over its memory limit). */
  oomKilled?: boolean;
  reason?: string;
}

export interface ExecHooks {
  /** Lines in order per stream; awaited before more output is read, which bounds memory. */
  output(batch: OutputBatch): Promise<void>;
  /** Once, after the process ended and every output line went through `output`; `usage` when the executor measured it. */
  exit(info: ExitInfo, usage?: SessionUsage): Promise<void>;
}

/** One process (or container) of a running session as sampled now; rank 0 for a session of one process. */
export interface RankUsage {
  rank: number;
  /** CPU time used since it started; the manager's sampler turns two readings into cores busy. */
  cpuSeconds: number;
  /** Resident memory now. */
  rssMb: number;
  /** Highest memory so far, where the kernel keeps it (a cgroup's peak charge, a container's max usage). */
  peakMb?: number;
}

export interface ExecStatus {
  state: 'running' | 'exited';
  pid: number;
  attached: boolean;
}

export interface Executor {
  readonly name: string;
  /** Executor names whose handles `attach` accepts (default: only `name`); a router lists those it routes to. */
  readonly handles?: readonly string[];
  /** Starts the process; resolves once it runs. Rejects (nothing left running) if it cannot start. */
  start(spec: ExecSpec, hooks: ExecHooks, offsets?: OutputOffsets): Promise<ExecHandle>;
  /**
   * Resumes tracking after a manager restart. True when the process is alive and provably ours; otherwise the
   * remaining output is drained and `hooks.exit` is called with the recorded outcome, or `lost`.
   */
  attach(spec: ExecSpec, handle: ExecHandle, hooks: ExecHooks, offsets: OutputOffsets): Promise<boolean>;
  /**
   * The handle of a process started for `spec` whose start the manager did not get to record (it stopped
   * in between); undefined when there is none.
   */
  recover(spec: ExecSpec): Promise<ExecHandle | undefined>;
  /** Graceful stop: SIGTERM, then SIGKILL after `graceMs`. Resolves when the process has ended. */
  stop(sessionId: string, graceMs: number): Promise<void>;
  /** Sends a signal to the session's processes; false when not tracked. */
  signal(sessionId: string, signal: NodeJS.Signals): boolean;
  status(sessionId: string): ExecStatus | undefined;
  /** The last `maxBytes` of a captured stream, straight from the executor (the store keeps the full log). */
  logs(sessionId: string, stream: OutputStream, maxBytes?: number): Promise<string>;
  /**
   * Optional: lets a long-running session give way to waiting work without ending it (local: lowest CPU
   * priority). True when it did; the caller may then stop counting the session's CPUs.
   */
  yield?(sessionId: string): Promise<boolean>;
  /**
   * Optional: what each running session it tracks uses now, per rank, read from outside the job (cgroups, /proc,
   * the container engine); sessions it cannot read are left out.
   */
  usage?(): Promise<Map<string, RankUsage[]>>;
  /** Stops tracking; processes keep running (they are detached) and can be re-attached later. Idempotent. */
  close(): Promise<void>;
}
