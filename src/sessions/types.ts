/** Session records and what a client submits. */
import type { SessionState } from '../events/index.js';
import type { ExecHandle } from '../executors/index.js';
import type { RulesDoc } from '../rules/index.js';
import type { Placement, Resources } from '../scheduler/index.js';

export type { SessionState };

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

/** Resolves `name` / `name@version` to one fixed version; throws NotFoundError when there is none. */
export interface DatasetResolver {
  resolve(ref: string): Promise<{ name: string; version: number }>;
}

/** Asks a session's SDK, over its channel, to stop on its own; false when no SDK is connected. */
export interface StopChannel {
  requestStop(sessionId: string, reason: string): boolean;
  /** Drops a stop request kept for a session that has ended. */
  forget?(sessionId: string): void;
}
