/** How a session ends: its final state and exit status from what happened to it, and what that writes. */
import type { EventPayloads } from '../events/index.js';
import type { ExitInfo, SessionUsage } from '../executors/index.js';
import { formatDuration } from '../util/duration.js';
import type { Active } from './active.js';
import type { SessionRecord, SessionState } from './types.js';

export interface Ending {
  state: SessionState;
  exitCode: number | null;
  signal: string | null;
  reason: string | undefined;
  oomKilled?: boolean;
  usage?: SessionUsage;
  /** In a gang: the rank whose exit ended it. */
  rank?: number;
}

/** An ending with no process exit to report: stopped before it ran, a failed start, a lost process. */
export const withoutExit = (state: SessionState, reason: string | undefined): Ending => ({
  state,
  exitCode: null,
  signal: null,
  reason,
});

/** A process exited: a stop that was asked for or a max runtime that ran out wins over its exit code. */
export function endingOf(a: Active, info: ExitInfo): Ending {
  let state: SessionState;
  let reason = info.reason;
  if (info.lost) state = 'lost';
  else if (a.stopReason) {
    state = a.stopAs ?? 'stopped';
    reason = a.stopReason;
  } else if (a.timedOut) {
    state = 'failed';
    reason = `exceeded its max runtime of ${formatDuration(a.record.maxRuntimeMs ?? 0)}`;
  } else if (info.exitCode === 0 && !info.oomKilled) state = 'succeeded';
  else {
    state = 'failed';
    reason ??= info.signal ? `killed by ${info.signal}` : `exited with code ${info.exitCode}`;
  }
  return {
    state,
    exitCode: info.exitCode,
    signal: info.signal,
    reason,
    ...(info.oomKilled ? { oomKilled: true } : {}),
  };
}

/** What the ending sets on the record. */
export function endPatch(e: Ending, now: number): Partial<SessionRecord> {
  const patch: Partial<SessionRecord> = { endedAt: now, exitCode: e.exitCode, signal: e.signal };
  if (e.reason !== undefined) patch.reason = e.reason;
  if (e.oomKilled) patch.oomKilled = true;
  if (e.usage) patch.usage = e.usage;
  return patch;
}

/** What the `session.exited` event says. */
export function exitedData(e: Ending): EventPayloads['session.exited'] {
  const data: EventPayloads['session.exited'] = { state: e.state, exitCode: e.exitCode, signal: e.signal };
  if (e.reason !== undefined) data.reason = e.reason;
  if (e.oomKilled) data.oomKilled = true;
  if (e.rank !== undefined) data.rank = e.rank;
  return data;
}
