/** Linux /proc helpers: process identity (pid + start time), liveness, process-group members, CPU niceness. */
import { readdirSync, readFileSync } from 'node:fs';
import { constants, setPriority } from 'node:os';

interface Stat {
  state: string;
  pgrp: number;
  /** Clock ticks after boot; with the pid it names one process for good. */
  startTime: number;
}

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
  return { state: rest[0] ?? '?', pgrp: Number(rest[2]), startTime };
}

/** True when `pid` is the very process that started at `startTime` and has not ended (zombies count as ended). */
export function isAlive(pid: number, startTime: number): boolean {
  const s = readStat(pid);
  return s !== undefined && s.startTime === startTime && s.state !== 'Z' && s.state !== 'X';
}

/** Pids whose process group is `pgid`. */
export function groupMembers(pgid: number): number[] {
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const name of names) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    if (readStat(pid)?.pgrp === pgid) out.push(pid);
  }
  return out;
}

/**
 * Lowers the CPU priority of every thread of every process in a group. Linux niceness is per thread and
 * inherited by threads and processes created afterwards, so each existing thread is set.
 */
export function reniceGroup(pgid: number, nice: number): number {
  let done = 0;
  for (const pid of groupMembers(pgid)) {
    let tids: string[];
    try {
      tids = readdirSync(`/proc/${pid}/task`);
    } catch {
      continue;
    }
    for (const tid of tids) {
      try {
        setPriority(Number(tid), nice);
        done++;
      } catch {
        // the thread ended meanwhile
      }
    }
  }
  return done;
}

const SIGNAL_NAMES = new Map(Object.entries(constants.signals).map(([name, n]) => [n as number, name]));

/** Name of a signal number (`9` → `SIGKILL`). */
export const signalName = (n: number): string | undefined => SIGNAL_NAMES.get(n);

/** Sends `signal` to a whole process group; false when the group is gone. */
export function killGroup(pgid: number, signal: NodeJS.Signals): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}
