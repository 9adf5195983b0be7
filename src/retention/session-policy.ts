/**
 * The session policy: ended sessions older than a duration are deleted with everything they own, except the
 * best K of each project by a session order (`--keep-best 3:metric.val_loss.min`), which are kept for good.
 */
import type { SessionRetention } from '../config/index.js';
import { ConflictError, NotFoundError } from '../errors/index.js';
import type { Experiments } from '../experiments/index.js';
import { isTerminal, type SessionRecord, type SessionRepo } from '../sessions/index.js';

/** Deletes one session with its logs, events, series and artifacts (the sessions domain's single delete). */
export type RemoveSession = (id: string) => Promise<unknown>;

export interface SessionPolicyDeps {
  repo: SessionRepo;
  experiments: Experiments;
  remove: RemoveSession;
}

export interface SessionPolicyResult {
  deleted: string[];
  /** The pass stopped on its budget: call again soon. */
  more: boolean;
}

/** Candidates looked at per pass (kept ones included), so a lab of many kept sessions costs a bounded pass. */
const SCAN = 1000;
const PAGE = 200;

/** A session with no project is ranked among the other sessions with none. */
const projectOf = (r: Pick<SessionRecord, 'project'>): string => r.project ?? '';

export class SessionPolicy {
  readonly #deps: SessionPolicyDeps;
  readonly #policy: SessionRetention;
  /** Position in the old-enough candidates (oldest first) of the next pass; kept ones stay behind it. */
  #offset = 0;

  constructor(deps: SessionPolicyDeps, policy: SessionRetention) {
    this.#deps = deps;
    this.#policy = policy;
  }

  get enabled(): boolean {
    return this.#policy.olderThanMs !== undefined;
  }

  /** Deletes at most `budget` sessions the policy drops. */
  async pass(now: number, budget: number): Promise<SessionPolicyResult> {
    const out: SessionPolicyResult = { deleted: [], more: false };
    if (this.#policy.olderThanMs === undefined) return out;
    const cutoff = now - this.#policy.olderThanMs;
    let kept: Set<string> | undefined;
    for (let scanned = 0; scanned < SCAN; ) {
      const ids = await this.#deps.repo.createdBefore(cutoff, { offset: this.#offset, limit: PAGE });
      if (ids.length === 0) {
        this.#offset = 0;
        return out;
      }
      for (const id of ids) {
        scanned++;
        const r = await this.#deps.repo.get(id);
        const due = r && isTerminal(r.state) && (r.endedAt ?? r.createdAt) < cutoff;
        kept ??= due ? await this.#best() : undefined;
        const outcome = due && !kept?.has(id) ? await this.#remove(id) : 'kept';
        // Only a kept session stays at its place in the index; a removed one moved the rest up by one.
        if (outcome === 'kept') this.#offset++;
        if (outcome !== 'deleted') continue;
        out.deleted.push(id);
        if (out.deleted.length >= budget) {
          out.more = true;
          return out;
        }
      }
    }
    // The scan window ran out: go on soon only if it found work, else at the next interval (from `#offset`), so a
    // lab with many kept old sessions does not rescan them back to back.
    out.more = out.deleted.length > 0;
    return out;
  }

  /** `kept` when the sessions domain refuses (ConflictError: e.g. the session is in use again). */
  async #remove(id: string): Promise<'deleted' | 'gone' | 'kept'> {
    try {
      await this.#deps.remove(id);
      return 'deleted';
    } catch (err) {
      if (err instanceof NotFoundError) return 'gone';
      if (err instanceof ConflictError) return 'kept';
      throw err;
    }
  }

  /** The best `K` sessions of every project, by the configured order (computed once per pass). */
  async #best(): Promise<Set<string>> {
    const best = this.#policy.keepBest;
    const out = new Set<string>();
    if (!best) return out;
    const ranked = await this.#deps.experiments.list({ order: best.order, limit: Number.MAX_SAFE_INTEGER });
    const taken = new Map<string, number>();
    for (const s of ranked.sessions) {
      const n = taken.get(projectOf(s)) ?? 0;
      if (n >= best.count) continue;
      taken.set(projectOf(s), n + 1);
      out.add(s.id);
    }
    return out;
  }
}
