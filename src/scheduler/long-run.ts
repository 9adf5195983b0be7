/** The paper's long-run rule: sessions training longer than a threshold move to the low-priority pool. */

export interface RunningSession {
  sessionId: string;
  pool: string;
  priority: number;
  /** Epoch ms the session started running. */
  startedAt: number;
}

export interface Demotion {
  sessionId: string;
  fromPool: string;
  toPool: string;
  fromPriority: number;
  priority: number;
  ranForMs: number;
}

export interface LongRunOptions {
  /** Default 5 h. */
  thresholdMs?: number;
  /** Default `training`. */
  fromPool?: string;
  /** Default `low-priority`. */
  toPool?: string;
  /** New priority from the current one; default one point lower. */
  demotedPriority?: (current: number) => number;
}

export const LONG_RUN_THRESHOLD_MS = 5 * 60 * 60 * 1000;

/** Pure: which running sessions should be demoted at `now`. The caller applies the move. */
export function longRunDemotions(
  running: readonly RunningSession[],
  now: number,
  opts: LongRunOptions = {},
): Demotion[] {
  const { thresholdMs = LONG_RUN_THRESHOLD_MS, fromPool = 'training', toPool = 'low-priority' } = opts;
  const demote = opts.demotedPriority ?? ((p: number) => p - 1);
  return running
    .filter((s) => s.pool === fromPool && now - s.startedAt > thresholdMs)
    .map((s) => ({
      sessionId: s.sessionId,
      fromPool,
      toPool,
      fromPriority: s.priority,
      priority: demote(s.priority),
      ranForMs: now - s.startedAt,
    }));
}
