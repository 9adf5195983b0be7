/**
 * Session persistence: one CAS-versioned document per session, ordered indexes for listing (all by creation
 * time, and one per state), a per-session log of output lines. Every state change and its event are written in
 * one store transaction, so the archive and the record never disagree.
 */
import { ConflictError, NotFoundError } from '../errors/index.js';
import type { EventArchive, NewEvent } from '../events/index.js';
import type { OutputBatch, OutputOffsets } from '../executors/index.js';
import type { Doc, Store, TxOp } from '../store/index.js';
import { rankKey } from './ids.js';
import { ACTIVE_STATES, assertTransition } from './states.js';
import type { LogLine, LogPage, LogQuery, SessionPage, SessionRecord, SessionState } from './types.js';

export const sessionKey = (id: string): string => `sessions/${id}`;
export const logName = (id: string): string => `logs/${id}`;
const outputKey = (id: string): string => `session-output/${id}`;
const CREATED = 'sessions.created';
const stateIndex = (s: SessionState): string => `sessions.state.${s}`;
/** Preempted sessions whose next attempt is not submitted yet (a crash in between leaves them here). */
const RESUBMIT = 'sessions.resubmit';

const MAX_PAGE = 1000;
const RETRIES = 20;

interface StoredLine {
  t: number;
  s: 'stdout' | 'stderr';
  l: string;
  /** Rank, in a gang session. */
  r?: number;
}

/** When a stored output line was written (ms), for retention by age. */
export const lineTime = (value: unknown): number | undefined => (value as Partial<StoredLine>).t;

type Patch = (current: SessionRecord) => Partial<SessionRecord>;
type EventOf = (next: SessionRecord) => NewEvent;

/** Records stored before sessions had params get the default, so readers need not care how old one is. */
const withDefaults = (r: SessionRecord): SessionRecord => (r.params ? r : { ...r, params: {} });

export class SessionRepo {
  readonly #store: Store;
  readonly #events: EventArchive;

  constructor(store: Store, events: EventArchive) {
    this.#store = store;
    this.#events = events;
  }

  /** Writes a new record with its event; `also` lands in the same transaction (e.g. linking a retry). */
  async create(record: SessionRecord, event: NewEvent, also: TxOp[] = []): Promise<void> {
    await this.#store.commit([
      { op: 'put', key: sessionKey(record.id), value: record, ifVersion: 0 },
      { op: 'indexAdd', index: CREATED, member: record.id, score: record.createdAt },
      { op: 'indexAdd', index: stateIndex(record.state), member: record.id, score: record.createdAt },
      this.#events.op(event),
      ...also,
    ]);
  }

  async get(id: string): Promise<SessionRecord | undefined> {
    const doc = await this.#store.get<SessionRecord>(sessionKey(id));
    return doc && withDefaults(doc.value);
  }

  async require(id: string): Promise<Doc<SessionRecord>> {
    const doc = await this.#store.get<SessionRecord>(sessionKey(id));
    if (!doc) throw new NotFoundError(`no session ${id}`, { details: { sessionId: id } });
    return { ...doc, value: withDefaults(doc.value) };
  }

  /** Session ids newest first (only those in `state` when given), a page at a time, for scans. */
  async *ids(state?: SessionState): AsyncGenerator<string[]> {
    const index = state ? stateIndex(state) : CREATED;
    for (let offset = 0; ; offset += MAX_PAGE) {
      const entries = await this.#store.indexRange(index, { reverse: true, offset, limit: MAX_PAGE });
      if (entries.length > 0) yield entries.map((e) => e.member);
      if (entries.length < MAX_PAGE) return;
    }
  }

  /** Ids of sessions created before `time`, oldest first, a page at a time (retention's candidates). */
  async createdBefore(time: number, page: { offset: number; limit: number }): Promise<string[]> {
    const entries = await this.#store.indexRange(CREATED, { max: time - 1, ...page });
    return entries.map((e) => e.member);
  }

  /** Moves a session to `to` (illegal moves throw ConflictError) with its event, retrying lost CAS races. */
  transition(
    id: string,
    to: SessionState,
    patch: Patch,
    event: EventOf,
    also: TxOp[] = [],
  ): Promise<SessionRecord> {
    return this.#write(
      id,
      (cur) => {
        assertTransition(id, cur.state, to);
        return { ...cur, ...patch(cur), state: to };
      },
      event,
      also,
    );
  }

  /** Marks an ended, preempted session as owed its next attempt (written with its end). */
  resubmitOp(r: Pick<SessionRecord, 'id' | 'createdAt'>): TxOp {
    return { op: 'indexAdd', index: RESUBMIT, member: r.id, score: r.createdAt };
  }

  /** Clears that mark (written with the next attempt's creation). */
  resubmittedOp(id: string): TxOp {
    return { op: 'indexRemove', index: RESUBMIT, member: id };
  }

  /** Preempted sessions still owed their next attempt, oldest first. */
  async owedResubmits(): Promise<string[]> {
    return (await this.#store.indexRange(RESUBMIT)).map((e) => e.member);
  }

  /** Changes fields other than the state, with an optional event in the same transaction. */
  update(id: string, patch: Patch, event?: EventOf): Promise<SessionRecord> {
    return this.#write(id, (cur) => ({ ...cur, ...patch(cur), state: cur.state }), event);
  }

  async #write(
    id: string,
    next: (cur: SessionRecord) => SessionRecord,
    event?: EventOf,
    also: TxOp[] = [],
  ): Promise<SessionRecord> {
    for (let attempt = 0; ; attempt++) {
      const doc = await this.require(id);
      const value = next(doc.value);
      const ops: TxOp[] = [{ op: 'put', key: sessionKey(id), value, ifVersion: doc.version }];
      if (value.state !== doc.value.state) {
        ops.push({ op: 'indexRemove', index: stateIndex(doc.value.state), member: id });
        ops.push({ op: 'indexAdd', index: stateIndex(value.state), member: id, score: value.createdAt });
      }
      if (event) ops.push(this.#events.op(event(value)));
      ops.push(...also);
      try {
        await this.#store.commit(ops);
        return value;
      } catch (err) {
        if (!(err instanceof ConflictError) || attempt >= RETRIES) throw err;
      }
    }
  }

  /** Ops that take a session out of every listing (the creation index and its state's). */
  unlistOps(r: SessionRecord): TxOp[] {
    return [
      { op: 'indexRemove', index: CREATED, member: r.id },
      { op: 'indexRemove', index: stateIndex(r.state), member: r.id },
      this.resubmittedOp(r.id),
    ];
  }

  /** Ops that delete a session's record, listings, output lines and output offsets. */
  deleteOps(r: SessionRecord): TxOp[] {
    return [
      ...this.unlistOps(r),
      { op: 'delete', key: sessionKey(r.id) },
      { op: 'trimLog', log: logName(r.id), before: Number.MAX_SAFE_INTEGER },
      { op: 'delete', key: outputKey(r.id) },
    ];
  }

  /** Newest first; with `state`, only sessions in that state. */
  async list(options: { state?: SessionState; limit?: number; offset?: number } = {}): Promise<SessionPage> {
    const index = options.state ? stateIndex(options.state) : CREATED;
    const limit = Math.min(Math.max(1, options.limit ?? 50), MAX_PAGE);
    const offset = Math.max(0, options.offset ?? 0);
    const [entries, total] = await Promise.all([
      this.#store.indexRange(index, { reverse: true, offset, limit }),
      this.#store.indexCount(index),
    ]);
    const docs = await Promise.all(entries.map((e) => this.get(e.member)));
    const sessions = docs.filter((d): d is SessionRecord => d !== undefined);
    return { sessions, total, limit, offset };
  }

  /** Every session in a non-terminal state, oldest first. */
  async active(): Promise<SessionRecord[]> {
    const out: SessionRecord[] = [];
    for (const s of ACTIVE_STATES) {
      for (const e of await this.#store.indexRange(stateIndex(s))) {
        const r = await this.get(e.member);
        if (r) out.push(r);
      }
    }
    return out.sort((a, b) => a.createdAt - b.createdAt || (a.id < b.id ? -1 : 1));
  }

  /**
   * Stores output lines, their `session.log` event and the new read offsets in one transaction; a gang's ranks
   * share the session's log, each line tagged with its `rank`, each rank with its own offsets.
   */
  async appendOutput(id: string, batch: OutputBatch, rank?: number): Promise<void> {
    const t = Date.now();
    const tag = rank === undefined ? {} : { r: rank };
    const ops: TxOp[] = batch.lines.map((l) => ({
      op: 'append',
      log: logName(id),
      value: { t, s: batch.stream, l, ...tag } satisfies StoredLine,
    }));
    ops.push(
      this.#events.op({
        type: 'session.log',
        sessionId: id,
        data: { stream: batch.stream, lines: batch.lines, ...(rank === undefined ? {} : { rank }) },
      }),
    );
    ops.push({
      op: 'put',
      key: outputKey(rank === undefined ? id : rankKey(id, rank)),
      value: batch.offsets,
    });
    await this.#store.commit(ops);
  }

  /** Read offsets of a session's captured output (of one rank, in a gang). */
  async outputOffsets(id: string, rank?: number): Promise<OutputOffsets> {
    const key = outputKey(rank === undefined ? id : rankKey(id, rank));
    return (await this.#store.get<OutputOffsets>(key))?.value ?? { stdout: 0, stderr: 0 };
  }

  /** Log cursors are contiguous per session (1, 2, 3…), so the last N lines start at `last - N`. */
  async logs(id: string, query: LogQuery = {}): Promise<LogPage> {
    const limit = Math.min(Math.max(1, query.limit ?? 1000), 10_000);
    let after = query.after ?? 0;
    if (query.after === undefined && query.tail !== undefined) {
      after = Math.max(0, (await this.#store.lastCursor(logName(id))) - query.tail);
    }
    const entries = await this.#store.read<StoredLine>(logName(id), { after, limit });
    const lines: LogLine[] = entries.map((e) => {
      const line: LogLine = { cursor: e.cursor, time: e.value.t, stream: e.value.s, line: e.value.l };
      if (e.value.r !== undefined) line.rank = e.value.r;
      return line;
    });
    return { lines, next: lines.at(-1)?.cursor ?? after };
  }
}
