/** A session's metric series as the charts read them: per name, step/time/value columns appended in place. */

import type { SeriesResult } from '../api/types.js';
import type { XY } from '../components/Chart.js';

interface Columns {
  step: number[];
  time: number[];
  value: number[];
}

export class MetricStore {
  readonly byStep = new Map<string, XY>();
  readonly byTime = new Map<string, XY>();
  #columns = new Map<string, Columns>();
  /** Series cursor of the last batch read: the next incremental read starts after it. */
  cursor = 0;
  /** Points stored server-side (before downsampling), per name. */
  stored = new Map<string, number>();
  downsampled = false;

  get shown(): number {
    let n = 0;
    for (const c of this.#columns.values()) n += c.value.length;
    return n;
  }

  /** Replaces everything with a (possibly downsampled) full read. */
  reset(r: SeriesResult): void {
    this.#columns.clear();
    this.byStep.clear();
    this.byTime.clear();
    this.stored.clear();
    this.downsampled = false;
    this.append(r);
  }

  /** Adds the points of an incremental read (`after=cursor`). */
  append(r: SeriesResult): void {
    this.cursor = Math.max(this.cursor, r.cursor);
    for (const [name, s] of Object.entries(r.series)) {
      let c = this.#columns.get(name);
      if (!c) {
        c = { step: [], time: [], value: [] };
        this.#columns.set(name, c);
        this.byStep.set(name, { x: c.step, y: c.value });
        this.byTime.set(name, { x: c.time, y: c.value });
      }
      const lastStep = c.step.at(-1) ?? Number.NEGATIVE_INFINITY;
      for (let i = 0; i < s.value.length; i++) {
        // A resent batch or another rank may repeat older steps: keep the chart's x ascending.
        if (s.step[i]! < lastStep) continue;
        c.step.push(s.step[i]!);
        c.time.push(s.time[i]!);
        c.value.push(s.value[i]!);
      }
      this.stored.set(name, (this.stored.get(name) ?? 0) + s.points);
      this.downsampled ||= s.downsampled;
    }
  }
}
