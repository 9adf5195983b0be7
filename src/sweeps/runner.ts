/**
 * The sweep runner: creates sweeps, submits their trials, and follows the trials' events on the hub to judge
 * them (ASHA) and move each sweep on. One promise chain does all of it, API calls included, so a sweep's document
 * has one writer; the chain's work is small (a map lookup for every event that is not a trial's).
 *
 * Restart: like the rules engine, the runner stores the cursor of the last event it handled and replays the
 * archive from there; each sweep document keeps the cursor of the last event applied to it, so nothing is applied
 * twice. A trial submitted just before a crash, before its sweep recorded it, is found again by its tag.
 */
import type { Logger } from 'pino';
import { isTerminal, type NewEvent } from '../api/index.js';
import type { SweepList, SweepSpec, SweepView } from '../api/sweeps.js';
import { NotFoundError } from '../errors/index.js';
import type { EventArchive, EventHub } from '../events/index.js';
import type { ModelControl } from '../rules/index.js';
import { newSessionId } from '../sessions/index.js';
import type { Store } from '../store/index.js';
import { advance, TRIAL_ENV, type TrialSessions } from './advance.js';
import { applyEvent, refresh, TRIAL_EVENTS, type TrialEvent } from './apply.js';
import { newSweepDoc } from './create.js';
import { StoredCursor } from './cursor.js';
import { BY_TIME, CURSOR_KEY, type SweepDoc, summaryOf, sweepKey, sweepTag, viewOf } from './state.js';

export interface SweepRunnerDeps {
  store: Store;
  events: EventArchive;
  hub: EventHub;
  sessions: TrialSessions;
  models: ModelControl;
  logger: Pick<Logger, 'warn' | 'error'>;
}

export class SweepRunner {
  readonly #deps: SweepRunnerDeps;
  /** Trial session id → its sweep id, for trials that have not ended. */
  readonly #trials = new Map<string, string>();
  #open: () => void = () => {};
  /** Gated until `resume`. */
  #chain: Promise<unknown> = new Promise<void>((resolve) => {
    this.#open = resolve;
  });
  /** Submissions in flight: their sessions' events must be queued before their ids are known. */
  #submitting = 0;
  /** Running sweeps found by `start`, moved on by `resume`. */
  readonly #toResume: string[] = [];
  readonly #cursor: StoredCursor;
  #unsubscribe: (() => void) | undefined;
  #closed = false;

  constructor(deps: SweepRunnerDeps) {
    this.#deps = deps;
    this.#cursor = new StoredCursor(deps.store, CURSOR_KEY, deps.logger);
  }

  /**
   * Loads the sweeps, takes back unrecorded trials, and subscribes from the stored cursor. Nothing is handled
   * (and no trial submitted) before `resume`, which comes once the sessions have reconciled and started.
   */
  async start(): Promise<void> {
    const { store, events, hub } = this.#deps;
    const from = await this.#cursor.load(events);
    for (const { member } of await store.indexRange(BY_TIME)) {
      const doc = (await store.get<SweepDoc>(sweepKey(member)))?.value;
      if (!doc) continue;
      if (doc.state === 'running') {
        if (await this.#adopt(doc)) await store.put(sweepKey(doc.id), doc);
        this.#toResume.push(doc.id);
      }
      // A stopped sweep still follows its trials until they have ended.
      this.#map(doc);
    }
    this.#unsubscribe = await hub.subscribe({ types: TRIAL_EVENTS }, from, (e) =>
      this.#enqueue(e as TrialEvent),
    );
  }

  /** Starts handling: replayed and live events, then each running sweep moves on (submits what it may). */
  async resume(): Promise<void> {
    this.#open();
    for (const member of this.#toResume.splice(0)) {
      await this.#run(async () => {
        const doc = await this.#load(member);
        await this.#write(doc, await this.#advance(doc));
      }).catch((err: unknown) => this.#deps.logger.error({ err, sweep: member }, 'resuming a sweep failed'));
    }
  }

  /** Cursor of the last event handled. */
  get cursor(): number {
    return this.#cursor.value;
  }

  /**
   * Plans the trials (InvalidError naming the field when it cannot), stores the sweep and submits its first
   * trials; a trial the sessions refuse (an unknown dataset, no node to hold it) stops the sweep with the reason.
   */
  create(spec: SweepSpec): Promise<SweepView> {
    const doc = newSweepDoc(`w-${newSessionId().slice(2)}`, spec, 0);
    return this.#run(async () => {
      doc.cursor = this.#cursor.value;
      const { store } = this.#deps;
      await store.commit([
        { op: 'put', key: sweepKey(doc.id), value: doc, ifVersion: 0 },
        { op: 'indexAdd', index: BY_TIME, member: doc.id, score: doc.createdAt },
      ]);
      await this.#write(doc, await this.#advance(doc));
      return viewOf(doc);
    });
  }

  async get(id: string): Promise<SweepView> {
    return viewOf(await this.#load(id));
  }

  /** Newest first. */
  async list(limit = 100): Promise<SweepList> {
    const ids = await this.#deps.store.indexRange(BY_TIME, { reverse: true, limit });
    const docs = await Promise.all(ids.map(({ member }) => this.#deps.store.get<SweepDoc>(sweepKey(member))));
    return { sweeps: docs.flatMap((d) => (d ? [summaryOf(d.value)] : [])) };
  }

  /** Stops the sweep: no new trial, and its active trials through the sessions' stop path. Idempotent. */
  stop(id: string, reason = 'stopped by request'): Promise<SweepView> {
    return this.#run(async () => {
      const doc = await this.#load(id);
      if (doc.state !== 'running') return viewOf(doc);
      doc.state = 'stopped';
      doc.endedAt = Date.now();
      doc.reason = reason;
      for (const t of doc.trials) {
        if (t.sessionId && t.state !== 'pending' && !isTerminal(t.state)) {
          await this.#deps.sessions.stop(t.sessionId, `sweep ${id} stopped: ${reason}`, { as: 'stopped' });
        }
      }
      await this.#write(doc, []);
      return viewOf(doc);
    });
  }

  /** Resolves once everything queued so far is handled and the cursor stored; for tests and shutdown. */
  async settle(): Promise<void> {
    await this.#chain;
    await this.#cursor.flush();
  }

  /** Stops listening, finishes what is queued and stores the cursor. Idempotent. */
  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#unsubscribe?.();
    this.#open();
    await this.settle();
  }

  #run<T>(fn: () => Promise<T>): Promise<T> {
    const next = this.#chain.then(fn);
    this.#chain = next.catch(() => {});
    return next;
  }

  async #load(id: string): Promise<SweepDoc> {
    const doc = await this.#deps.store.get<SweepDoc>(sweepKey(id));
    if (!doc) throw new NotFoundError(`sweep ${id} not found`, { details: { sweep: id } });
    return doc.value;
  }

  #enqueue(e: TrialEvent): void {
    const known = e.sessionId !== undefined && this.#trials.has(e.sessionId);
    if (!known && this.#submitting === 0) {
      // Nothing of ours: only the cursor moves (once everything queued before is handled).
      void this.#run(async () => this.#cursor.advance(e.cursor));
      return;
    }
    this.#run(() => this.#handle(e)).catch((err: unknown) =>
      this.#deps.logger.error({ err, sessionId: e.sessionId, cursor: e.cursor }, 'sweep event failed'),
    );
  }

  async #handle(e: TrialEvent): Promise<void> {
    try {
      const sweepId = e.sessionId === undefined ? undefined : this.#trials.get(e.sessionId);
      if (sweepId === undefined) return;
      const doc = await this.#load(sweepId);
      if (e.cursor <= doc.cursor) return;
      const trial = doc.trials.find((t) => t.sessionId === e.sessionId);
      if (!trial) return;
      const stop = applyEvent(doc, trial, e);
      if (stop) await this.#deps.sessions.stop(stop.sessionId, stop.reason, { as: 'stopped' });
      doc.cursor = e.cursor;
      await this.#write(doc, e.type === 'session.exited' ? await this.#advance(doc) : []);
    } finally {
      this.#cursor.advance(e.cursor);
    }
  }

  /** `advance`, with this sweep's new trials known before their first event is handled. */
  async #advance(doc: SweepDoc): Promise<NewEvent[]> {
    this.#submitting++;
    try {
      return await advance(this.#deps, doc);
    } finally {
      this.#submitting--;
      this.#map(doc);
    }
  }

  /** Trials submitted but not recorded before a crash, taken back by their tag; true when there were some. */
  async #adopt(doc: SweepDoc): Promise<boolean> {
    let found = false;
    for (const s of await this.#deps.sessions.tagged(sweepTag(doc.id))) {
      const trial = doc.trials[Number(s.env[TRIAL_ENV])];
      if (!trial || trial.sessionId !== undefined) continue;
      Object.assign(trial, { sessionId: s.id, state: s.state });
      found = true;
    }
    return found;
  }

  /** Follows the sweep's trials that have not ended, and forgets those that have. */
  #map(doc: SweepDoc): void {
    for (const t of doc.trials) {
      if (!t.sessionId) continue;
      if (t.state !== 'pending' && isTerminal(t.state)) this.#trials.delete(t.sessionId);
      else this.#trials.set(t.sessionId, doc.id);
    }
  }

  /** Writes the sweep (the runner is its only writer) with the events its change produced. */
  async #write(doc: SweepDoc, events: NewEvent[]): Promise<void> {
    refresh(doc);
    const { store } = this.#deps;
    await store.commit([
      { op: 'put', key: sweepKey(doc.id), value: doc },
      ...events.map((ev) => this.#deps.events.op(ev)),
    ]);
    this.#map(doc);
  }
}
