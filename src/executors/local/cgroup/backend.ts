/** The contract both cgroup versions implement: a session's cgroup limited to its grant, and its counters read back. */
import type { SessionUsage } from '../../types.js';

export type CgroupKind = 'cgroup-v2' | 'cgroup-v1';

export interface Grant {
  /** CPUs as a quota per scheduling period (0.5 = half of one CPU's time); 0 leaves CPU unlimited. */
  cpus: number;
  /** 0 leaves memory unlimited. */
  memoryMb: number;
}

export interface CgroupReport {
  usage: SessionUsage;
  /** Processes of the session the kernel's OOM killer ended. */
  oomKills: number;
}

/** A running session's counters now: CPU time so far, resident (anonymous) memory, and the peak charge if kept. */
export interface CgroupSample {
  cpuSeconds: number;
  rssMb: number;
  peakMb?: number;
}

export interface CgroupBackend {
  readonly kind: CgroupKind;
  /** One parent directory per hierarchy the backend uses (v2: one; v1: one per controller mount). */
  readonly parents: readonly string[];
  /** Writes the grant into a session's new directories (one per parent, in the same order). */
  limit(dirs: readonly string[], grant: Grant): Promise<void>;
  /** The counters of a session's cgroup; undefined when they cannot be read (the cgroup is gone). */
  read(dirs: readonly string[]): Promise<CgroupReport | undefined>;
  /** The counters of a running session's cgroup; undefined when they cannot be read. */
  sample(dirs: readonly string[]): Promise<CgroupSample | undefined>;
}

/** Name of the directory under the manager's own cgroup that holds the session cgroups. */
export const PARENT = 'swarmlab';

/** The scheduling period CPU quotas are given in (the kernel's default, 100 ms). */
export const PERIOD_US = 100_000;

/** Quota per period for a CPU grant; the kernel refuses quotas under 1 ms. */
export const quotaUs = (cpus: number): number => Math.max(1000, Math.round(cpus * PERIOD_US));

export const MIB = 1024 * 1024;
