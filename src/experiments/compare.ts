/** Several sessions side by side in one call: params (and which differ), metric summaries, downsampled series. */
import type { ComparedSession, CompareOptions, Comparison } from '../api/index.js';
import type { SessionManager } from '../sessions/index.js';
import type { MetricSeries, MetricSummaries } from '../telemetry/index.js';

export interface CompareDeps {
  sessions: SessionManager;
  summaries: MetricSummaries;
  series: MetricSeries;
}

export const DEFAULT_COMPARE_POINTS = 200;

async function compared(deps: CompareDeps, id: string, o: CompareOptions): Promise<ComparedSession> {
  // The record first: an unknown id is a NotFoundError naming it, before any series is read.
  const r = await deps.sessions.get(id);
  const names = o.metrics?.length ? o.metrics : undefined;
  const [summaries, read] = await Promise.all([
    deps.summaries.get(id),
    deps.series.read(id, { maxPoints: o.maxPoints ?? DEFAULT_COMPARE_POINTS, ...(names ? { names } : {}) }),
  ]);
  const metrics = names
    ? Object.fromEntries(names.flatMap((n) => (summaries[n] ? [[n, summaries[n]]] : [])))
    : summaries;
  const series = Object.fromEntries(
    Object.entries(read.series).map(([n, s]) => [n, { step: s.step, value: s.value }]),
  );
  return {
    id: r.id,
    name: r.name,
    state: r.state,
    ...(r.project === undefined ? {} : { project: r.project }),
    tags: r.tags ?? [],
    params: r.params,
    metrics,
    series,
  };
}

/** Names whose value is not the same in every session (a param some lack counts as differing). */
function differing(sessions: ComparedSession[]): string[] {
  const names = new Set(sessions.flatMap((s) => Object.keys(s.params)));
  return [...names]
    .filter((n) => new Set(sessions.map((s) => JSON.stringify(s.params[n] ?? null))).size > 1)
    .sort();
}

export async function compareSessions(
  deps: CompareDeps,
  ids: string[],
  o: CompareOptions,
): Promise<Comparison> {
  const sessions = await Promise.all(ids.map((id) => compared(deps, id, o)));
  return { sessions, params: differing(sessions) };
}
