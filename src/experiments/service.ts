/** The experiments service routes call: session queries by project, tag, param and metric, and comparisons. */
import type { CompareOptions, Comparison } from '../api/index.js';
import type { SessionPage } from '../sessions/index.js';
import { type CompareDeps, compareSessions } from './compare.js';
import { listSessions, type SessionQuery } from './query.js';

export class Experiments {
  readonly #deps: CompareDeps;

  constructor(deps: CompareDeps) {
    this.#deps = deps;
  }

  list(query: SessionQuery): Promise<SessionPage> {
    return listSessions(this.#deps, query);
  }

  /** NotFoundError naming the first unknown id. */
  compare(ids: string[], options: CompareOptions = {}): Promise<Comparison> {
    return compareSessions(this.#deps, ids, options);
  }
}
