/** Retention on the wire: the policy in force, what passes removed, and the manager's running totals. */

/** One log's bounds; an absent field means no bound of that kind. */
export interface LogBounds {
  maxAgeMs?: number;
  maxEntries?: number;
}

export interface RetentionPolicy {
  /** The event archive. */
  events: LogBounds;
  /** Each session's output lines. */
  logs: LogBounds;
  /** Each session's metric batches. */
  metrics: LogBounds;
  /** Ended sessions older than `olderThanMs` are deleted, except each project's best `keepBest.count`. */
  sessions: { olderThanMs?: number; keepBest?: { count: number; order: string } };
  intervalMs: number;
}

/** What was removed: entries of each kind and whole sessions. */
export interface RetentionCounts {
  events: number;
  logLines: number;
  metricBatches: number;
  sessions: number;
}

/** One run of the policy (a timer pass, or `POST /retention/run`, which repeats passes until nothing is left). */
export interface RetentionRun {
  at: number;
  ms: number;
  removed: RetentionCounts;
  /** Ids of the sessions deleted. */
  deletedSessions: string[];
  /** A budget ran out: more remains for the next pass. */
  more: boolean;
}

export interface RetentionStatus {
  policy: RetentionPolicy;
  /** Since this manager started. */
  totals: RetentionCounts;
  passes: number;
  last?: RetentionRun;
}
