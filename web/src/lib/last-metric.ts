/** The sessions table's "last metric" of a row no live epoch has updated yet: its newest stored training points. */
import { api, query } from '../api/client.js';
import type { SeriesResult } from '../api/types.js';
import type { LastMetric } from '../components/SessionRow.js';
import { splitUsage } from './usage-series.js';

/**
 * The newest point of each training series (usage is not a result): the table's "last metric" for a session no
 * live epoch has updated yet.
 */
function lastMetric(r: SeriesResult): LastMetric | undefined {
  const { training } = splitUsage(new Map(Object.entries(r.series)));
  const entries = [...training].filter(([, s]) => s.value.length > 0);
  if (entries.length === 0) return undefined;
  return {
    epoch: Math.max(...entries.map(([, s]) => s.step.at(-1)!)),
    metrics: Object.fromEntries(entries.map(([n, s]) => [n, s.value.at(-1)!])),
  };
}

/** Batches read back when the newest holds only usage: the sampler's points since the last report. */
const USAGE_BATCHES = 32;

/**
 * A session's newest training points. The newest stored batch (`latest=true`) may hold only usage samples, which
 * the manager keeps writing while the job runs: then the last few batches are read, which hold the last report
 * unless the job went quiet for longer than USAGE_BATCHES samples.
 */
export async function newestTraining(id: string): Promise<LastMetric | undefined> {
  const base = `/api/v1/sessions/${encodeURIComponent(id)}/metrics`;
  const r = await api<SeriesResult>(`${base}?latest=true`);
  return (
    lastMetric(r) ??
    (r.cursor > 1
      ? lastMetric(
          await api<SeriesResult>(
            `${base}${query({ after: Math.max(0, r.cursor - USAGE_BATCHES), maxPoints: 0 })}`,
          ),
        )
      : undefined)
  );
}
