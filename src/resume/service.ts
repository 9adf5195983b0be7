/**
 * What a session's earlier attempts left to resume from. A next attempt (a retry, or the resubmission of a
 * preempted session) is a new session linked by `retryOf`; its job reads this with its own token, which may not
 * read other sessions, so the chain is walked here.
 */
import type { Artifact, ResumeInfo, SessionRecord } from '../api/index.js';
import { NotFoundError } from '../errors/index.js';

/** Far more attempts than any retry rule allows; a guard against a corrupt (cyclic) chain. */
const MAX_CHAIN = 1000;

export interface ResumeDeps {
  sessions: { get(id: string): Promise<SessionRecord> };
  artifacts: {
    list(sessionId: string): Promise<{ artifacts: Artifact[] }>;
    get(sessionId: string, path: string): Promise<Artifact>;
  };
  models: {
    latestSavedBy(
      name: string,
      sessionIds: ReadonlySet<string>,
    ): Promise<
      { model: string; generation: number; sessionId: string | null; createdAt: number } | undefined
    >;
  };
}

export class ResumeService {
  readonly #deps: ResumeDeps;

  constructor(deps: ResumeDeps) {
    this.#deps = deps;
  }

  async info(sessionId: string, model?: string): Promise<ResumeInfo> {
    const record = await this.#deps.sessions.get(sessionId);
    const previous = await this.#previous(record);
    const seen = new Set<string>();
    const artifacts: ResumeInfo['artifacts'] = [];
    for (const id of previous) {
      for (const a of (await this.#deps.artifacts.list(id)).artifacts) {
        if (seen.has(a.path)) continue;
        seen.add(a.path);
        artifacts.push({ ...a, sessionId: id });
      }
    }
    artifacts.sort((a, b) => (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
    const info: ResumeInfo = { sessionId, attempt: record.attempt ?? 1, previous, artifacts };
    if (model !== undefined) info.generation = await this.#generation(model, previous);
    return info;
  }

  /** The newest generation of `model` one of `previous` saved; null too when the model does not exist (yet). */
  async #generation(model: string, previous: string[]): Promise<ResumeInfo['generation']> {
    if (previous.length === 0) return null;
    try {
      const g = await this.#deps.models.latestSavedBy(model, new Set(previous));
      return g
        ? { model: g.model, generation: g.generation, sessionId: g.sessionId!, createdAt: g.createdAt }
        : null;
    } catch (err) {
      if (err instanceof NotFoundError) return null;
      throw err;
    }
  }

  /** The newest earlier attempt's copy of `path`; NotFoundError when no earlier attempt has it. */
  async artifact(sessionId: string, path: string): Promise<Artifact> {
    for (const id of await this.#previous(await this.#deps.sessions.get(sessionId))) {
      try {
        return await this.#deps.artifacts.get(id, path);
      } catch (err) {
        if (!(err instanceof NotFoundError)) throw err;
      }
    }
    throw new NotFoundError(`no earlier attempt of session ${sessionId} has an artifact ${path}`, {
      details: { sessionId, path },
    });
  }

  /** Earlier attempts still stored, newest first; a deleted one ends the chain. */
  async #previous(record: SessionRecord): Promise<string[]> {
    const out: string[] = [];
    for (let id = record.retryOf; id !== undefined && out.length < MAX_CHAIN && !out.includes(id); ) {
      let prev: SessionRecord;
      try {
        prev = await this.#deps.sessions.get(id);
      } catch (err) {
        if (err instanceof NotFoundError) break;
        throw err;
      }
      out.push(id);
      id = prev.retryOf;
    }
    return out;
  }
}
