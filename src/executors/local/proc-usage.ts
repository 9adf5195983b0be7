/** Usage of local sessions without a cgroup, from /proc: CPU time and resident memory summed over each process group. */
import { readFileSync } from 'node:fs';
import { CLOCK_TICKS } from '../../util/proc.js';
import type { CgroupSample } from './cgroup/index.js';
import { groups } from './proc.js';

/** VmRSS of /proc/<pid>/status in MB; 0 for a process gone meanwhile or a kernel thread. */
function rssMb(pid: number): number {
  let text: string;
  try {
    text = readFileSync(`/proc/${pid}/status`, 'utf8');
  } catch {
    return 0;
  }
  const m = /^VmRSS:\s+(\d+) kB/m.exec(text);
  return m ? Number(m[1]) / 1024 : 0;
}

/**
 * Each group's CPU time (its live members' own plus what they reaped, so a finished child still counts) and
 * resident memory; no peak, which /proc keeps per process only. Groups with no process left are absent.
 */
export function groupUsage(pgids: Iterable<number>): Map<number, CgroupSample> {
  const out = new Map<number, CgroupSample>();
  for (const [pgid, members] of groups(pgids)) {
    // Zombies count: their CPU time reaches the parent's only once reaped.
    if (members.length === 0) continue;
    let ticks = 0;
    let rss = 0;
    for (const m of members) {
      ticks += m.stat.cpuTicks;
      rss += rssMb(m.pid);
    }
    out.set(pgid, { cpuSeconds: ticks / CLOCK_TICKS, rssMb: rss });
  }
  return out;
}
