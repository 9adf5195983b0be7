/**
 * Turns what executors read (cumulative CPU time, memory now) into a session's usage points: cores busy from two
 * CPU readings, a peak kept across readings, the use of its GPUs; and its totals for its node.
 */
import { type GpuReport, type MetricPoint, type SessionRecord, usageSeries } from '../api/index.js';
import type { RankUsage } from '../executors/index.js';

/** What one session uses now, summed over its ranks. */
export interface SessionUse {
  cpus: number;
  memoryMb: number;
  gpus: number;
  gpuMemoryMb: number;
}

interface Last {
  time: number;
  cpuSeconds: number;
  peakMb: number;
}

export type Running = Pick<SessionRecord, 'id' | 'startedAt' | 'placement' | 'replicas'>;

export class UsageReadings {
  /** The previous reading per session rank (`id#rank`). */
  readonly #last = new Map<string, Last>();

  /**
   * The points of one session at `time` (ms), stepped in seconds since it started. `gpus`: the node's GPUs, when
   * they can be read there.
   */
  points(
    s: Running,
    ranks: readonly RankUsage[],
    gpus: readonly GpuReport[] | undefined,
    time: number,
  ): { points: MetricPoint[]; use: SessionUse } {
    const started = s.startedAt ?? time;
    const step = Math.max(0, (time - started) / 1000);
    const worldSize = Math.max(ranks.length, ...ranks.map((r) => r.rank + 1));
    const points: MetricPoint[] = [];
    const use: SessionUse = { cpus: 0, memoryMb: 0, gpus: 0, gpuMemoryMb: 0 };
    for (const r of ranks) {
      const key = `${s.id}#${r.rank}`;
      const last = this.#last.get(key);
      // The first reading is averaged over the time since the session started.
      const since = last ?? { time: started, cpuSeconds: 0, peakMb: 0 };
      const seconds = (time - since.time) / 1000;
      const peakMb = Math.max(r.peakMb ?? 0, since.peakMb, r.rssMb);
      this.#last.set(key, { time, cpuSeconds: r.cpuSeconds, peakMb });
      const name = (m: Parameters<typeof usageSeries>[0]) => usageSeries(m, r.rank, worldSize);
      if (seconds > 0) {
        // A process that left the group takes its CPU time with it: never a negative rate.
        const cores = Math.max(0, (r.cpuSeconds - since.cpuSeconds) / seconds);
        points.push([name('cpu'), cores, step, time]);
        use.cpus += cores;
      }
      points.push([name('rss_mb'), r.rssMb, step, time], [name('peak_mb'), peakMb, step, time]);
      use.memoryMb += r.rssMb;
    }
    const held = s.placement?.gpus ?? [];
    if (gpus && held.length > 0) {
      // Per device: a GPU shared by fractional sessions shows its whole use in each of them.
      for (const g of gpus) {
        if (!held.includes(g.index)) continue;
        use.gpus += g.utilizationPercent / 100;
        use.gpuMemoryMb += g.memoryUsedMb;
      }
      points.push(
        [usageSeries('gpu'), use.gpus, step, time],
        [usageSeries('gpu_mem_mb'), use.gpuMemoryMb, step, time],
      );
    }
    return { points, use };
  }

  /** Forgets the readings of sessions no longer running. */
  retain(running: ReadonlySet<string>): void {
    for (const key of this.#last.keys()) {
      if (!running.has(key.slice(0, key.lastIndexOf('#')))) this.#last.delete(key);
    }
  }
}
