/**
 * Usage series (`sys/cpu`, `sys/rank1/rss_mb`: sampled by the manager, stored beside the training metrics) apart
 * from the training metrics, and grouped into the charts the usage card draws.
 */
const PREFIX = 'sys/';

export function splitUsage<T>(series: Map<string, T>): { training: Map<string, T>; usage: Map<string, T> } {
  const training = new Map<string, T>();
  const usage = new Map<string, T>();
  for (const [name, s] of series) {
    if (name.startsWith(PREFIX)) usage.set(name.slice(PREFIX.length), s);
    else training.set(name, s);
  }
  return { training, usage };
}

/** A usage chart: its title (the y axis label) and the usage metrics it draws, every rank's. */
export interface UsageGroup {
  title: string;
  metrics: string[];
}

export const USAGE_GROUPS: UsageGroup[] = [
  { title: 'cpu cores', metrics: ['cpu'] },
  { title: 'memory MB', metrics: ['rss_mb', 'peak_mb'] },
  { title: 'gpus busy', metrics: ['gpu'] },
  { title: 'gpu memory MB', metrics: ['gpu_mem_mb'] },
];

/** The series of `group` in `usage` (names without `sys/`: `cpu`, `rank1/cpu`), in the group's metric order. */
export function groupSeries<T>(usage: Map<string, T>, group: UsageGroup): Map<string, T> {
  const out = new Map<string, T>();
  for (const metric of group.metrics)
    for (const [name, s] of usage) if (name.slice(name.lastIndexOf('/') + 1) === metric) out.set(name, s);
  return out;
}
