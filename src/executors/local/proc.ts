/** Linux /proc helpers for session process groups: members, CPU niceness, signals. */
import { readdirSync } from 'node:fs';
import { constants, setPriority } from 'node:os';
import { readStat, type Stat } from '../../util/proc.js';

/** The processes (pid and stat) of each of the process groups `pgids`, in one pass over /proc. */
export function groups(pgids: Iterable<number>): Map<number, Array<{ pid: number; stat: Stat }>> {
  const out = new Map<number, Array<{ pid: number; stat: Stat }>>();
  for (const g of pgids) out.set(g, []);
  let names: string[];
  try {
    names = readdirSync('/proc');
  } catch {
    return out;
  }
  for (const name of names) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const stat = readStat(pid);
    if (stat) out.get(stat.pgrp)?.push({ pid, stat });
  }
  return out;
}

/** Pids whose process group is `pgid`. */
export const groupMembers = (pgid: number): number[] => (groups([pgid]).get(pgid) ?? []).map((m) => m.pid);

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
