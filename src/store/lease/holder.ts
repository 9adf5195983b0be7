/** Who holds a lease, and whether a holder on this host is provably gone (its process dead or its pid reused). */
import { randomUUID } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { hostname } from 'node:os';

export interface LeaseHolder {
  /** Random per acquisition, so a restarted process on a reused pid is still someone else. */
  id: string;
  host: string;
  pid: number;
  /** ISO time the lease was taken. */
  startedAt: string;
  /** The manager's URL, once it listens. */
  url?: string;
  /** Process start time from /proc (clock ticks since boot): tells a live holder from a reused pid. */
  procStart?: string;
}

/** Fields of /proc/PID/stat after the command name, which may itself hold spaces and parentheses. */
async function procStat(pid: number | 'self'): Promise<string[] | undefined> {
  try {
    const stat = await readFile(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  } catch {
    return undefined;
  }
}

// Indexes into procStat's fields: field 3 of stat (state) is the first, field 22 (starttime) the 20th.
const STATE = 0;
const START_TIME = 19;

export async function thisProcess(): Promise<LeaseHolder> {
  const procStart = (await procStat('self'))?.[START_TIME];
  return {
    id: randomUUID(),
    host: hostname(),
    pid: process.pid,
    startedAt: new Date().toISOString(),
    ...(procStart ? { procStart } : {}),
  };
}

/**
 * True only when the holder ran on this host and its process is gone: absent, a zombie, or its pid now another
 * process. A holder elsewhere is never judged here; only its lease's expiry says it is gone.
 */
export async function goneFromThisHost(holder: LeaseHolder): Promise<boolean> {
  if (holder.host !== hostname()) return false;
  if (holder.procStart !== undefined) {
    const stat = await procStat(holder.pid);
    return stat === undefined || stat[STATE] === 'Z' || stat[START_TIME] !== holder.procStart;
  }
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
