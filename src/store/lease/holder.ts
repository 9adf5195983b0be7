/** Who holds a lease, and whether a holder on this host is provably gone (its process dead or its pid reused). */
import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { isAlive, readStat } from '../../util/proc.js';

export interface LeaseHolder {
  /** Random per acquisition, so a restarted process on a reused pid is still someone else. */
  id: string;
  host: string;
  pid: number;
  /** ISO time the lease was taken. */
  startedAt: string;
  /** The manager's URL, once it listens. */
  url?: string;
  /** Process start time from /proc (absent without /proc): tells a live holder from a reused pid. */
  startTime?: number;
}

export function thisProcess(): LeaseHolder {
  const startTime = readStat(process.pid)?.startTime;
  return {
    id: randomUUID(),
    host: hostname(),
    pid: process.pid,
    startedAt: new Date().toISOString(),
    ...(startTime === undefined ? {} : { startTime }),
  };
}

/**
 * True only when the holder ran on this host and its process is gone: absent, a zombie, or its pid now another
 * process. A holder elsewhere is never judged here; only its lease's expiry says it is gone.
 */
export function goneFromThisHost(holder: LeaseHolder): boolean {
  if (holder.host !== hostname()) return false;
  if (holder.startTime !== undefined) return !isAlive(holder.pid, holder.startTime);
  try {
    process.kill(holder.pid, 0);
    return false;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'ESRCH';
  }
}

/** One line naming the holder, for refusals and logs. */
export function describeHolder(holder: LeaseHolder): string {
  const at = holder.url ? `, serving ${holder.url}` : '';
  return `pid ${holder.pid} on ${holder.host} since ${holder.startedAt}${at}`;
}
