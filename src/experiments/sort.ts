/** Sorting a session list by an `Order` (see src/api/session-order.ts); missing values sort last either way. */
import type { Order } from '../api/index.js';
import type { MetricSummary, ParamValue, SessionListItem } from '../sessions/index.js';

export const DEFAULT_ORDER: Order = { key: 'createdAt', desc: true };

type Sortable = number | string | boolean | undefined;

/** The value a session sorts by; undefined (no such param or metric, or a non-finite value) sorts last. */
function sortValue(
  s: SessionListItem,
  order: Order,
  metrics: Record<string, MetricSummary> | undefined,
): Sortable {
  switch (order.key) {
    case 'createdAt':
      return s.createdAt;
    case 'name':
      return s.name;
    case 'param':
      return s.params[order.name];
    case 'metric':
      return metrics?.[order.name]?.[order.field] ?? undefined;
    default:
      throw new Error(`unhandled order ${(order satisfies never as Order).key}`);
  }
}

/** Mixed param types sort numbers, then strings, then booleans, so one bad submit does not scramble the list. */
const RANK: Record<string, number> = { number: 0, string: 1, boolean: 2 };

function compareValues(a: ParamValue, b: ParamValue): number {
  const ta = RANK[typeof a]!;
  const tb = RANK[typeof b]!;
  if (ta !== tb) return ta - tb;
  return a < b ? -1 : a > b ? 1 : 0;
}

/** Sorts in place; ties (and missing values among themselves) keep newest first. */
export function sortSessions(
  sessions: SessionListItem[],
  order: Order,
  metricsOf: (id: string) => Record<string, MetricSummary> | undefined,
): void {
  const keyed = sessions.map((s) => ({ s, v: sortValue(s, order, metricsOf(s.id)) }));
  keyed.sort((x, y) => {
    if (x.v === undefined || y.v === undefined) {
      if (x.v !== y.v) return x.v === undefined ? 1 : -1;
    } else {
      const c = compareValues(x.v, y.v);
      if (c !== 0) return order.desc ? -c : c;
    }
    return y.s.createdAt - x.s.createdAt || (x.s.id < y.s.id ? 1 : -1);
  });
  keyed.forEach((k, i) => {
    sessions[i] = k.s;
  });
}
