/** `GET /api/v1/sessions` query: state, project, tags, `param.NAME=VALUE` filters, order and paging, validated. */
import { z } from 'zod';
import { parseOrder } from '../../api/index.js';
import { InvalidError } from '../../errors/index.js';
import type { SessionQuery } from '../../experiments/index.js';
import { SESSION_STATES, type SessionState } from '../../sessions/index.js';
import { int, listParam, parseQuery } from './query.js';
import { paramName, safeName } from './session-fields.js';

const PARAM_PREFIX = 'param.';

const listQuery = z.object({
  state: z.enum(SESSION_STATES as [SessionState, ...SessionState[]]).optional(),
  project: safeName.optional(),
  /** Repeatable (`?tag=a&tag=b`) or comma-separated: every one must match. */
  tag: listParam.pipe(z.array(safeName).optional()),
  order: z.string().max(200).optional(),
  limit: int(1, 1000).optional(),
  offset: int(0, Number.MAX_SAFE_INTEGER).optional(),
});

/** `param.lr=0.001` → `{lr: '0.001'}`; the value is compared as the session's param type by the query. */
function paramFilters(query: Record<string, unknown>): Record<string, string> | undefined {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(query)) {
    if (!key.startsWith(PARAM_PREFIX)) continue;
    const name = key.slice(PARAM_PREFIX.length);
    if (!paramName.safeParse(name).success || typeof value !== 'string') {
      throw new InvalidError(`${key}: give one value for a param name of [A-Za-z0-9_.-]`, {
        details: { field: key },
      });
    }
    out[name] = value;
  }
  return Object.keys(out).length > 0 ? out : undefined;
}

export function parseListQuery(raw: unknown): SessionQuery {
  const { tag, order, ...rest } = parseQuery(listQuery, raw);
  const params = paramFilters((raw ?? {}) as Record<string, unknown>);
  return {
    ...rest,
    ...(tag?.length ? { tags: tag } : {}),
    ...(params ? { params } : {}),
    ...(order === undefined ? {} : { order: parseOrder(order) }),
  };
}
