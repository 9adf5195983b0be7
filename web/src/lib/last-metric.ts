/** The sessions table's "last metric" of a row no live epoch has updated yet: its newest stored training points. */
import { api } from '../api/client.js';
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

/**
 * A session's newest training points: the newest stored batch holding a training series (`latest=true` reads back
 * past the manager's usage samples).
 */
export async function newestTraining(id: string): Promise<LastMetric | undefined> {
  return lastMetric(
    await api<SeriesResult>(`/api/v1/sessions/${encodeURIComponent(id)}/metrics?latest=true`),
  );
}
