/** Linux /proc helpers for session process groups: members, CPU niceness, signals. */
import { readdirSync } from 'node:fs';
import { constants, setPriority } from 'node:os';
import { readStat } from '../../util/proc.js';

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
