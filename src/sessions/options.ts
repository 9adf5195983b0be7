/** What a session manager is built from: its dependencies, and its options compiled once with defaults. */
import type { Logger } from 'pino';
import type { EventArchive } from '../events/index.js';
import type { Executor } from '../executors/index.js';
import { LONG_RUN_THRESHOLD_MS, type NodeEngine, type Scheduler } from '../scheduler/index.js';
import type { Store } from '../store/index.js';
import type { DatasetResolver, OutputCollector, SessionPurger, StopChannel } from './types.js';

export interface SessionManagerOptions {
  dataDir: string;
  /** URL sessions use to reach the manager (SWARMLAB_URL). */
  publicUrl: () => string;
  /** The token a session's job reports with (SWARMLAB_TOKEN): its own, scoped to it. */
  sessionToken: (sessionId: string) => string;
  /** Time between SIGTERM (or the SDK's stop request) and SIGKILL (default 10 s). */
  stopGraceMs?: number;
  /** `training` sessions running longer than this are demoted to `low-priority` (default 5 h). */
  longRunMs?: number;
  /** How often the long-run rule is checked (default a tenth of `longRunMs`, at most 1 min). */
  longRunCheckMs?: number;
  /** Where sessions with an image run (`local`: this host's Docker engine; `swarm`); unset: images refused. */
  containerEngine?: NodeEngine;
}

/** The options with every default filled; `containerEngine` stays optional, as its absence means something. */
export type SessionOptions = Required<Omit<SessionManagerOptions, 'containerEngine'>> &
  Pick<SessionManagerOptions, 'containerEngine'>;

export function sessionOptions(options: SessionManagerOptions): SessionOptions {
  const longRunMs = options.longRunMs ?? LONG_RUN_THRESHOLD_MS;
  return {
    stopGraceMs: 10_000,
    longRunCheckMs: Math.max(20, Math.min(60_000, Math.floor(longRunMs / 10))),
    ...options,
    longRunMs,
  };
}

export interface SessionDeps {
  store: Store;
  events: EventArchive;
  scheduler: Scheduler;
  /** Owned from now on: closed by `SessionManager.close()`. */
  executor: Executor;
  logger: Pick<Logger, 'info' | 'warn' | 'error'>;
  datasets?: DatasetResolver;
  /** Looked up on each stop, as the channel service may be wired after the manager. */
  stopChannel?: () => StopChannel | undefined;
  /** Collects a session's output dir when it ends (none: nothing is kept). */
  artifacts?: OutputCollector;
  /** What other domains recorded per session (metrics, artifacts…), deleted with it. */
  purgers?: SessionPurger[];
}
