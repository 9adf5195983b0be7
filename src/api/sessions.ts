/** Sessions on the wire: what a client submits, the record the manager keeps and returns, pages and logs. */
import type { SessionState } from './events.js';
import type { Placement, Resources } from './nodes.js';
import type { RulesDoc } from './rules.js';

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
}

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
  state: SessionState;
  createdAt: number;
  placedAt?: number;
  startedAt?: number;
  endedAt?: number;
  exitCode: number | null;
  signal: string | null;
  /** Why the session ended the way it did (stop reason, max runtime, lost…). */
  reason?: string;
  /** Set when the kernel's OOM killer ended it (a container over its memory limit). */
  oomKilled?: boolean;
  /** What the session holds while placed (GPU indices on `placement.node`). */
  placement?: Placement;
  /** How to find the process again after a manager restart. */
  handle?: ExecHandle;
  /** Set when a stop was asked for. */
  stopRequestedAt?: number;
  /** Set by the long-run rule. */
  demotedAt?: number;
  /** True once the session gave its CPUs back to waiting work (see the long-run rule). */
  yielded?: boolean;
  rules?: RulesDoc;
  flagged?: SessionFlag;
  /** A retry: the session it repeats (the previous attempt) and its attempt number (the first is 1). */
  retryOf?: string;
  attempt?: number;
  /** The session submitted to retry this one. */
  retriedBy?: string;
}

export interface ListOptions {
  state?: SessionState;
  /** Page size (default 50, at most 1000). */
  limit?: number;
  offset?: number;
}

export interface SessionPage {
  sessions: SessionRecord[];
  total: number;
  limit: number;
  offset: number;
}

export interface LogLine {
  cursor: number;
  time: number;
  stream: 'stdout' | 'stderr';
  line: string;
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
}
