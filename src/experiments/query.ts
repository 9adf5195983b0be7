/**
 * Session lists beyond the state index: filter by project, tags and params, sort by a field, param or metric
 * summary, then page. Scans the sessions (by state when given) — fine for a lab's thousands of sessions; the
 * plain newest-first listing keeps the indexed fast path.
 */
import type { Order } from '../api/index.js';
import type {
  MetricSummary,
  SessionListItem,
  SessionManager,
  SessionPage,
  SessionState,
} from '../sessions/index.js';
import type { MetricSummaries } from '../telemetry/index.js';
import { isEmptyFilter, matches, type SessionFilter } from './filter.js';
import { DEFAULT_ORDER, sortSessions } from './sort.js';

export interface SessionQuery extends SessionFilter {
  state?: SessionState;
  order?: Order;
  /** Default 50. */
  limit?: number;
  offset?: number;
}

export interface QueryDeps {
  sessions: SessionManager;
  summaries: MetricSummaries;
}

/** Summaries read at once: each is a few store reads, or a fold of new points. */
const PARALLEL = 32;

async function matching(deps: QueryDeps, q: SessionQuery): Promise<SessionListItem[]> {
  const out: SessionListItem[] = [];
  for await (const ids of deps.sessions.repo.ids(q.state)) {
    const records = await Promise.all(ids.map((id) => deps.sessions.repo.get(id)));
    for (const r of records) if (r && matches(r, q)) out.push(r);
  }
  return out;
}

async function summariesOf(
  summaries: MetricSummaries,
  ids: string[],
): Promise<Map<string, Record<string, MetricSummary>>> {
  const out = new Map<string, Record<string, MetricSummary>>();
  for (let i = 0; i < ids.length; i += PARALLEL) {
    const chunk = ids.slice(i, i + PARALLEL);
    const got = await Promise.all(chunk.map((id) => summaries.get(id)));
    for (const [k, id] of chunk.entries()) out.set(id, got[k]!);
  }
  return out;
}

export async function listSessions(deps: QueryDeps, q: SessionQuery): Promise<SessionPage> {
  const order = q.order ?? DEFAULT_ORDER;
  const limit = q.limit ?? 50;
  const offset = q.offset ?? 0;
  if (isEmptyFilter(q) && order.key === DEFAULT_ORDER.key && order.desc === DEFAULT_ORDER.desc) {
    return deps.sessions.list({ ...(q.state ? { state: q.state } : {}), limit, offset });
  }
  const sessions = await matching(deps, q);
  const metrics =
    order.key === 'metric'
      ? await summariesOf(
          deps.summaries,
          sessions.map((s) => s.id),
        )
      : undefined;
  sortSessions(sessions, order, (id) => metrics?.get(id));
  const page = sessions.slice(offset, offset + limit);
  return {
    sessions: metrics ? page.map((s) => ({ ...s, metrics: metrics.get(s.id)! })) : page,
    total: sessions.length,
    limit,
    offset,
  };
}
