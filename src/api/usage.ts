/**
 * Resource use the manager samples itself (not the job): the names of a session's usage series, and a node's use
 * beside its allocation.
 */

/**
 * Usage series of a session, stored with its training metrics: `cpu` (cores busy), `rss_mb` (resident memory),
 * `peak_mb` (highest memory so far), `gpu` (GPU-equivalents busy on its GPUs), `gpu_mem_mb` (memory used on them).
 */
export const USAGE_METRICS = ['cpu', 'rss_mb', 'peak_mb', 'gpu', 'gpu_mem_mb'] as const;
export type UsageMetric = (typeof USAGE_METRICS)[number];

/** Prefix of every usage series; the dashboard charts what follows the last `/`, so ranks share one chart. */
export const USAGE_PREFIX = 'sys/';

/** `sys/cpu`; in a session of several ranks, `sys/rank1/cpu`. */
export function usageSeries(metric: UsageMetric, rank = 0, worldSize = 1): string {
  return worldSize > 1 ? `${USAGE_PREFIX}rank${rank}/${metric}` : `${USAGE_PREFIX}${metric}`;
}

/** What the sessions on a node use, in the units of its `allocated`, as last sampled. */
export interface NodeUse {
  /** Cores busy. */
  cpus: number;
  /** Resident memory. */
  memoryMb: number;
  /** GPU-equivalents busy (sum of the utilisation of the node's GPUs; 0 without `nvidia-smi`). */
  gpus: number;
  gpuMemoryMb: number;
  /** When the sample was taken (ms since the epoch); 0 before the first one. */
  sampledAt: number;
}
