/** Event filters: by session, model and type (exact, or a prefix given as `session.*` / `session.`). */
import type { EventFilter, SwarmEvent } from '../api/index.js';

export type Matcher = (event: SwarmEvent) => boolean;

export function compileFilter(filter: EventFilter = {}): Matcher {
  const exact = new Set<string>();
  const prefixes: string[] = [];
  for (const t of filter.types ?? []) {
    if (t.endsWith('*')) prefixes.push(t.slice(0, -1));
    else if (t.endsWith('.')) prefixes.push(t);
    else exact.add(t);
  }
  const anyType = exact.size === 0 && prefixes.length === 0;
  return (e) =>
    (filter.sessionId === undefined || e.sessionId === filter.sessionId) &&
    (filter.model === undefined || e.model === filter.model) &&
    (anyType || exact.has(e.type) || prefixes.some((p) => e.type.startsWith(p)));
}
