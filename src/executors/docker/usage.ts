/** What a session's container uses now, from the engine's stats API (`GET /containers/ID/stats?stream=false`). */
import type Docker from 'dockerode';
import type { RankUsage } from '../types.js';

const MIB = 1024 * 1024;

/** The parts of a stats answer read here; cgroup v1 engines fill `max_usage` and `total_rss`, v2 ones `anon`. */
export interface DockerStats {
  cpu_stats?: { cpu_usage?: { total_usage?: number } };
  memory_stats?: { usage?: number; max_usage?: number; stats?: Record<string, number> };
}

/** Rank 0's usage from a stats answer; undefined for a container not running (its counters are empty). */
export function parseDockerStats(stats: DockerStats): RankUsage | undefined {
  const cpuNs = stats.cpu_stats?.cpu_usage?.total_usage;
  const memory = stats.memory_stats;
  if (cpuNs === undefined || memory?.usage === undefined) return undefined;
  const s = memory.stats ?? {};
  // Anonymous memory, as for a local session's cgroup; else the usage less the reclaimable page cache (what
  // `docker stats` shows).
  const rss =
    s.anon ?? s.total_rss ?? s.rss ?? memory.usage - (s.inactive_file ?? s.total_inactive_file ?? 0);
  return {
    rank: 0,
    cpuSeconds: cpuNs / 1e9,
    rssMb: rss / MIB,
    ...(memory.max_usage !== undefined ? { peakMb: memory.max_usage / MIB } : {}),
  };
}

/** One container's usage; `one-shot` skips the engine's second reading (about a second) made for its own rates. */
export async function containerUsage(docker: Docker, id: string): Promise<RankUsage | undefined> {
  try {
    const stats = (await docker.getContainer(id).stats({ stream: false, 'one-shot': true } as {
      stream: false;
    })) as DockerStats;
    return parseDockerStats(stats);
  } catch {
    // Gone meanwhile (the session ended between listing and reading): no sample this time.
    return undefined;
  }
}
