/** Sessions on the wire: what a client submits, the record the manager keeps and returns, pages and logs. */
import type { SessionState } from './events.js';
import type { Placement, Resources } from './nodes.js';
import type { RulesDoc } from './rules.js';

/** A session parameter's value: typed JSON scalars, so `lr=0.001` sorts and compares as a number. */
export type ParamValue = number | string | boolean;

/** A submission after edge validation; defaults are filled by `SessionManager.submit`. */
export interface SessionSpec {
  name?: string;
  /** argv; never empty. */
  command: string[];
  /** Run `command` joined by spaces through `sh -c` (default false: no shell). */
  shell?: boolean;
  /** Working directory; default the session's output dir. */
  cwd?: string;
  env?: Record<string, string>;
  /** `name` or `name@version`; resolved to a fixed version at submit. */
  dataset?: string;
  resources?: Partial<Resources>;
  /** Higher runs first (default 0). */
  priority?: number;
  /** Node pool the session must run in (default `training`). */
  pool?: string;
  /** Node labels the session requires. */
  labels?: Record<string, string>;
  /** Stopped (SIGTERM, then SIGKILL after the grace period) and marked failed past this. */
  maxRuntimeMs?: number;
  /** Rules evaluated on the session's live events (validated at the edge, see src/rules). */
  rules?: RulesDoc;
  /** Container image: the session runs in a container (needs the Docker executor); none = local process. */
  image?: string;
  /** Keep the container after the session ended (default: removed). */
  keep?: boolean;
  /** Hyperparameters; immutable once submitted (the job may add new names, see `paths.sessionParams`). */
  params?: Record<string, ParamValue>;
  tags?: string[];
  project?: string;
  /** Models the session's token may save generations of; a session that names none may save any model's. */
  models?: string[];
  /**
   * Ranks of a distributed job (default 1): all placed at once or none, each with `resources`, each told its
   * rank and the PyTorch rendezvous (MASTER_ADDR, MASTER_PORT, RANK, WORLD_SIZE, LOCAL_RANK).
   */
  replicas?: number;
}

/** One rank of a gang session: where it runs, its process once started, and its exit once it ended. */
export interface RankProcess {
  rank: number;
  node: string;
  /** GPU device indices the rank holds on `node`. */
  gpus: number[];
  handle?: ExecHandle;
  exitCode?: number | null;
  signal?: string | null;
}

/** Where rank 0 of a gang listens for the others (PyTorch's MASTER_ADDR / MASTER_PORT). */
export interface Rendezvous {
  addr: string;
  port: number;
}

/**
 * The reason a preempted session's job is given with its stop request (SDK `preempted`): checkpoint and exit; a next
 * attempt will be submitted.
 */
export const PREEMPTED = 'preempted';

/** Set by an onExit rule when the session exited with a code it watches. */
export interface SessionFlag {
  rule: string;
  exitCode: number;
  at: number;
}

export interface SessionRecord {
  id: string;
  name: string;
  command: string[];
  shell: boolean;
  cwd: string;
  env: Record<string, string>;
  /** Resolved `name@version`. */
  dataset?: string;
  resources: Required<Resources>;
  priority: number;
  pool: string;
  labels: Record<string, string>;
  maxRuntimeMs?: number;
  /** Container image (run by the Docker executor); absent for a local process. */
  image?: string;
  keep?: boolean;
  /** Submitted params plus those the job added; `{}` when none. */
  params: Record<string, ParamValue>;
  /** Names of `params` the job added while it ran (absent when none). */
  addedParams?: string[];
  tags?: string[];
  project?: string;
  /** As submitted (`SessionSpec.models`). */
  models?: string[];
  state: SessionState;
  createdAt: number;
  placedAt?: number;
  startedAt?: number;
  endedAt?: number;
  /** Boot time: milliseconds from submit (`createdAt`) to `running`. */
  bootMs?: number;
  exitCode: number | null;
  signal: string | null;
  /** Why the session ended the way it did (stop reason, max runtime, lost…). */
  reason?: string;
  /** Set when the kernel's OOM killer ended it (a container or a local session's cgroup over its memory limit). */
  oomKilled?: boolean;
  /** What it used, when its executor measured it (a local session in a cgroup). */
  usage?: SessionUsage;
  /** What the session holds while placed (GPU indices on `placement.node`). */
  placement?: Placement;
  /** How to find the process again after a manager restart (a gang: rank 0's; every rank's is in `ranks`). */
  handle?: ExecHandle;
  /** A gang's rank count (absent for a plain session). */
  replicas?: number;
  /** A gang's ranks, by rank, once placed. */
  ranks?: RankProcess[];
  /** A gang's rendezvous, chosen when it was placed. */
  rendezvous?: Rendezvous;
  /** Set when a stop was asked for. */
  stopRequestedAt?: number;
  /** Set by the long-run rule. */
  demotedAt?: number;
  /** True once the session gave its CPUs back to waiting work (see the long-run rule). */
  yielded?: boolean;
  /** Set when its job declared it can be stopped and resumed (SDK `checkpointable()`): it may be preempted. */
  checkpointable?: boolean;
  /** Set when it was stopped to make room for this waiting session; a next attempt is submitted for it. */
  preemptedBy?: string;
  rules?: RulesDoc;
  flagged?: SessionFlag;
  /** A retry: the session it repeats (the previous attempt) and its attempt number (the first is 1). */
  retryOf?: string;
  attempt?: number;
  /** The session submitted to retry this one. */
  retriedBy?: string;
}

/**
 * How a session list is sorted: `-createdAt` (default, newest first), `createdAt`, `name`,
 * `metric.NAME[.last|.min|.max]` (default `.last`) or `param.NAME`; a leading `-` sorts descending. Sessions
 * without the value (or with a non-finite one) come last either way.
 */
export type SessionOrder = string;

export interface ListOptions {
  state?: SessionState;
  project?: string;
  /** Sessions carrying every one of these tags. */
  tags?: string[];
  /** `{lr: '0.001'}`: sessions whose param equals the value, compared as the param's type. */
  params?: Record<string, string>;
  order?: SessionOrder;
  /** Page size (default 50, at most 1000). */
  limit?: number;
  offset?: number;
}

/** A metric's summary over a session's whole series: the value at the highest step, and the extremes. */
export interface MetricSummary {
  /** Null when the value is not finite (NaN, ±Infinity). */
  last: number | null;
  /** Over finite values only; null when there were none. */
  min: number | null;
  max: number | null;
  lastStep: number;
}

/** A listed session; a page sorted by a metric carries each session's metric summaries. */
export type SessionListItem = SessionRecord & { metrics?: Record<string, MetricSummary> };

export interface SessionPage {
  sessions: SessionListItem[];
  total: number;
  limit: number;
  offset: number;
}

export interface LogLine {
  cursor: number;
  time: number;
  stream: 'stdout' | 'stderr';
  line: string;
  /** The rank that wrote it, in a gang session. */
  rank?: number;
}

export interface LogQuery {
  /** Last N lines. */
  tail?: number;
  /** Lines with cursor greater than this. */
  after?: number;
  limit?: number;
}

export interface LogPage {
  lines: LogLine[];
  /** Pass as `after` to get what comes next. */
  next: number;
}

/** How the manager finds a session's process again after a restart (kept on the session record). */
/** How a local session is held to its CPU and memory grant: a cgroup of either version, or not at all. */
export type Isolation = 'cgroup-v2' | 'cgroup-v1' | 'none';

/** Totals over a session's run, read from its cgroup when it ended. */
export interface SessionUsage {
  cpuSeconds: number;
  /** Highest memory use; absent where the kernel does not keep it (cgroup v2 before Linux 5.19). */
  peakMemoryMb?: number;
}

export interface ExecHandle {
  executor: string;
  /** Host process id (0 for a container executor, see `container` / `service`). */
  pid: number;
  /** Process start time (clock ticks since boot, from /proc/<pid>/stat), so a reused pid is not mistaken for ours. */
  startTime: number;
  dir: string;
  /** Docker container id (container executor). */
  container?: string;
  /** Docker Swarm service id (swarm executor). */
  service?: string;
  /** Local executor: how the process is held to its grant (absent for handles written before cgroups). */
  isolation?: Isolation;
}
