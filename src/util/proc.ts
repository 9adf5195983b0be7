/** Process identity on Linux: a pid plus its start time from /proc names one process for good, reuse or not. */
import { readFileSync } from 'node:fs';

export interface Stat {
  state: string;
  pgrp: number;
  /** Clock ticks after boot; with the pid it names one process for good. */
  startTime: number;
  /** CPU time in clock ticks: its own (user + system) plus that of the children it has waited for. */
  cpuTicks: number;
}

/** Clock ticks per second in /proc: USER_HZ, fixed at 100 by the kernel's ABI on every Linux architecture. */
export const CLOCK_TICKS = 100;

/** Parses /proc/<pid>/stat; the command name may hold spaces and parentheses, so split after the last `)`. */
export function readStat(pid: number): Stat | undefined {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  const rest = text.slice(text.lastIndexOf(')') + 2).split(' ');
  const startTime = Number(rest[19]);
  if (!Number.isFinite(startTime)) return undefined;
  // Fields 14–17 of stat(5): utime, stime, cutime, cstime.
  const cpuTicks = Number(rest[11]) + Number(rest[12]) + Number(rest[13]) + Number(rest[14]);
  return { state: rest[0] ?? '?', pgrp: Number(rest[2]), startTime, cpuTicks };
}

/** True when `pid` is the very process that started at `startTime` and has not ended (zombies count as ended). */
export function isAlive(pid: number, startTime: number): boolean {
  const s = readStat(pid);
  return s !== undefined && s.startTime === startTime && s.state !== 'Z' && s.state !== 'X';
}
