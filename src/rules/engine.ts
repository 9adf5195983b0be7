/**
 * The rules engine: one subscriber of the event hub that evaluates the rules of the sessions that have them on
 * their epochs, metric points, saved generations and exits, and acts (stop, reject, stage, flag, retry).
 *
 * Exactly-once bookkeeping: an event is applied to a session's rule state and its `rule.fired` events are
 * appended in one store transaction, together with the state's cursor, so replaying an event already applied
 * does nothing. Actions run just before that transaction and are idempotent (a second stop of an ended
 * session, a second stage of a generation holding the stage, a second retry of a session already retried all
 * do nothing), so a crash between the two repeats at most the action, never the firing. The engine's resume
 * cursor (the last event before which everything is handled) is stored too; after a restart the engine
 * replays from it, and the per-session cursors skip what was already applied.
 *
 * The hub's listener only queues: work runs in one promise chain per session, so sessions never wait for
 * each other and one session's events are handled in order.
 */
import type { Logger } from 'pino';
import type { RulesDoc } from '../api/index.js';
import { NotFoundError } from '../errors/index.js';
import type { EventArchive, EventHub, NewEvent, SwarmEvent } from '../events/index.js';
import type { Store } from '../store/index.js';
import type { ModelControl } from './accept.js';
import { onExit, onGeneration, onMetrics, type SessionControl } from './actions.js';
import { CURSOR_KEY, type Firing, initialState, type SessionRuleState, stateKey } from './state.js';

export interface RulesEngineDeps {
  store: Store;
  events: EventArchive;
  hub: EventHub;
  sessions: SessionControl;
  models: ModelControl;
  logger: Pick<Logger, 'warn' | 'error'>;
}

export interface SessionRulesView {
  sessionId: string;
  rules: RulesDoc | null;
  state: SessionRuleState | null;
}

type Watched = SwarmEvent<'session.epoch' | 'session.metric' | 'generation.saved' | 'session.exited'>;
const TYPES = ['session.epoch', 'session.metric', 'generation.saved', 'session.exited'];
/** Sessions whose rules (or lack of them) are remembered; beyond this the memo starts over. */
const MEMO_LIMIT = 10_000;
const SAVE_DELAY_MS = 50;

export class RulesEngine {
  readonly #deps: RulesEngineDeps;
  readonly #queues = new Map<string, Promise<void>>();
  /** Cursors of events queued or being handled. */
  readonly #pending = new Set<number>();
  readonly #sessions = new Map<string, { rules?: RulesDoc; attempt?: number } | null>();
  readonly #states = new Map<string, SessionRuleState>();
  /** Last event the hub delivered. */
  #seen = 0;
  #saved = 0;
  #saving: Promise<void> = Promise.resolve();
  #saveTimer: NodeJS.Timeout | undefined;
  #unsubscribe: (() => void) | undefined;
  #closed = false;

  constructor(deps: RulesEngineDeps) {
    this.#deps = deps;
  }

  /** Resumes from the stored cursor, or starts at the archive's current end the first time. */
  async start(): Promise<void> {
    const { store, events, hub } = this.#deps;
    const doc = await store.get<{ cursor: number }>(CURSOR_KEY);
    const from = doc?.value.cursor ?? (await events.lastCursor());
    if (!doc) await store.put(CURSOR_KEY, { cursor: from });
    this.#seen = from;
    this.#saved = from;
    this.#unsubscribe = await hub.subscribe({ types: TYPES }, from, (e) => this.#enqueue(e as Watched));
  }

  /** Cursor of the last event the hub delivered to the engine. */
  get cursor(): number {
    return this.#seen;
  }

  /** A session's rules and their state (counters, stop, firings). */
  async describe(sessionId: string): Promise<SessionRulesView> {
    const { rules } = await this.#deps.sessions.get(sessionId);
    const doc = await this.#deps.store.get<SessionRuleState>(stateKey(sessionId));
    return { sessionId, rules: rules ?? null, state: doc?.value ?? null };
  }

  /** Resolves once every event delivered so far is handled and the cursor stored; for tests and shutdown. */
  async settle(): Promise<void> {
    while (this.#queues.size > 0) await Promise.allSettled([...this.#queues.values()]);
    clearTimeout(this.#saveTimer);
    this.#saveTimer = undefined;
    await this.#save();
  }

  /** Stops listening, finishes what is queued and stores the cursor. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#unsubscribe?.();
    await this.settle();
  }

  #enqueue(e: Watched): void {
    this.#seen = e.cursor;
    const id = e.sessionId;
    if (id === undefined) {
      this.#advance();
      return;
    }
    this.#pending.add(e.cursor);
    const prev = this.#queues.get(id) ?? Promise.resolve();
    const next: Promise<void> = prev
      .then(() => this.#handle(id, e))
      .catch((err: unknown) =>
        this.#deps.logger.error({ err, sessionId: id, cursor: e.cursor }, 'rule evaluation failed'),
      )
      .finally(() => {
        this.#pending.delete(e.cursor);
        if (this.#queues.get(id) === next) this.#queues.delete(id);
        this.#advance();
      });
    this.#queues.set(id, next);
  }

  /** Everything at or before this cursor is handled. */
  #safeCursor(): number {
    let min = Number.POSITIVE_INFINITY;
    for (const c of this.#pending) if (c < min) min = c;
    return min === Number.POSITIVE_INFINITY ? this.#seen : min - 1;
  }

  #advance(): void {
    if (this.#saveTimer || this.#closed) return;
    this.#saveTimer = setTimeout(() => {
      this.#saveTimer = undefined;
      this.#save().catch((err: unknown) =>
        this.#deps.logger.warn({ err }, 'storing the rules cursor failed'),
      );
    }, SAVE_DELAY_MS);
    this.#saveTimer.unref();
  }

  /** Writes the safe cursor; writes are chained so a stale one never lands after a newer one. */
  #save(): Promise<void> {
    this.#saving = this.#saving
      .catch(() => {})
      .then(async () => {
        const cursor = this.#safeCursor();
        if (cursor <= this.#saved) return;
        await this.#deps.store.put(CURSOR_KEY, { cursor });
        this.#saved = cursor;
      });
    return this.#saving;
  }

  async #session(id: string): Promise<{ rules?: RulesDoc; attempt?: number } | null> {
    if (this.#sessions.has(id)) return this.#sessions.get(id)!;
    let info: { rules?: RulesDoc; attempt?: number } | null;
    try {
      const r = await this.#deps.sessions.get(id);
      info = r.rules ? { rules: r.rules, ...(r.attempt === undefined ? {} : { attempt: r.attempt }) } : null;
    } catch (err) {
      if (!(err instanceof NotFoundError)) throw err;
      info = null;
    }
    if (this.#sessions.size >= MEMO_LIMIT) this.#sessions.clear();
    this.#sessions.set(id, info);
    return info;
  }

  async #state(id: string, rules: RulesDoc): Promise<SessionRuleState> {
    let st = this.#states.get(id);
    if (!st) {
      st = (await this.#deps.store.get<SessionRuleState>(stateKey(id)))?.value ?? initialState(id, rules);
      this.#states.set(id, st);
    }
    return st;
  }

  async #handle(id: string, e: Watched): Promise<void> {
    const info = await this.#session(id);
    try {
      if (info?.rules) await this.#apply(id, info, info.rules, e);
    } finally {
      if (e.type === 'session.exited') {
        this.#sessions.delete(id);
        this.#states.delete(id);
      }
    }
  }

  async #apply(id: string, info: { attempt?: number }, rules: RulesDoc, e: Watched): Promise<void> {
    const loaded = await this.#state(id, rules);
    if (e.cursor <= loaded.cursor) return;
    // Work on a copy: the cached state only changes once the transaction recording it has landed.
    const st: SessionRuleState = structuredClone(loaded);
    const before = JSON.stringify(st);
    const firings: Firing[] = [];
    switch (e.type) {
      case 'session.epoch':
      case 'session.metric':
        await onMetrics(this.#deps, id, rules, st, e, firings);
        break;
      case 'generation.saved':
        await onGeneration(this.#deps, rules, e, firings);
        break;
      case 'session.exited':
        await onExit(this.#deps, id, info, rules, st, e, firings);
        break;
      default:
        return e satisfies never;
    }
    // A judged generation is always recorded: judging it again later would compare it with a production
    // that may have changed since. Metric events are deterministic given the state, so only changes count.
    const judged = e.type === 'generation.saved' && (rules.accept?.length ?? 0) > 0;
    if (firings.length === 0 && !judged && JSON.stringify(st) === before) return;
    st.cursor = e.cursor;
    st.firings.push(...firings);
    const { store, events } = this.#deps;
    await store.commit([
      { op: 'put', key: stateKey(id), value: st },
      ...firings.map((f) =>
        events.op({
          type: 'rule.fired',
          sessionId: id,
          ...(f.model === undefined ? {} : { model: f.model }),
          data: { rule: f.rule, kind: f.kind, observed: f.observed, action: f.action },
        } as NewEvent),
      ),
    ]);
    this.#states.set(id, st);
  }
}
