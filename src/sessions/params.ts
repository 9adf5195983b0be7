/** Params the job adds while it runs: new names only; a submitted (or already added) value never changes. */
import { ConflictError, InvalidError } from '../errors/index.js';
import type { ParamValue, SessionRecord } from './types.js';

/** Most params one session may carry, submitted and added together. */
export const MAX_PARAMS = 100;

/** The record with `added` merged in; ConflictError naming `params.KEY` for a name already set otherwise. */
export function mergeParams(r: SessionRecord, added: Record<string, ParamValue>): Partial<SessionRecord> {
  const fresh: string[] = [];
  for (const [name, value] of Object.entries(added)) {
    if (!Object.hasOwn(r.params, name)) fresh.push(name);
    else if (r.params[name] !== value) {
      const field = `params.${name}`;
      throw new ConflictError(`${field}: already ${JSON.stringify(r.params[name])}; params are immutable`, {
        details: { field, sessionId: r.id, current: r.params[name], given: value },
      });
    }
  }
  if (fresh.length === 0) return {};
  const count = Object.keys(r.params).length + fresh.length;
  if (count > MAX_PARAMS) {
    throw new InvalidError(`params: at most ${MAX_PARAMS} per session (this would make ${count})`, {
      details: { field: 'params', sessionId: r.id },
    });
  }
  return {
    params: { ...r.params, ...Object.fromEntries(fresh.map((n) => [n, added[n]!])) },
    addedParams: [...(r.addedParams ?? []), ...fresh],
  };
}
