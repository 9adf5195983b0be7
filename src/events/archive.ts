/** The append-only event archive: one store log whose cursor is every event's id. */

import type { EventFilter, EventPage, NewEvent, SwarmEvent } from '../api/index.js';
import type { Store, TxOp } from '../store/index.js';
import { compileFilter } from './filter.js';

/** How far before a session's creation its events are looked for, in case the clock was set back meanwhile. */
const SCAN_MARGIN_MS = 60 * 60 * 1000;

/** The store log that holds every event. */
export const EVENT_LOG = 'events';

type Stored = Omit<SwarmEvent, 'cursor'>;

export interface PageOptions {
  after?: number;
  limit?: number;
  /** Entries read at most per call when filtering, so one request never scans the whole archive. */
  scanLimit?: number;
}

const toStored = (e: NewEvent, now: number): Stored => {
  const stored = { time: e.time ?? now, type: e.type, data: e.data } as Stored;
  if (e.sessionId !== undefined) stored.sessionId = e.sessionId;
  if (e.model !== undefined) stored.model = e.model;
  return stored;
};

export class EventArchive {
  readonly #store: Store;

  constructor(store: Store) {
    this.#store = store;
  }

  /** Appends events atomically, in order; returns them with their cursors. */
  async append(events: NewEvent | NewEvent[]): Promise<SwarmEvent[]> {
    const list = Array.isArray(events) ? events : [events];
    if (list.length === 0) return [];
    const now = Date.now();
    const stored = list.map((e) => toStored(e, now));
    const cursors = await this.#store.appendMany(EVENT_LOG, stored);
    return stored.map((s, i) => ({ ...s, cursor: cursors[i]! }) as SwarmEvent);
  }

  /** A transaction op that appends `event`, for writes that must land together with it. */
  op(event: NewEvent): TxOp {
    return { op: 'append', log: EVENT_LOG, value: toStored(event, Date.now()) };
  }

  /**
   * Cursors of the events of a session that began at `since` (ms), for deleting them; a model's events that name
   * the session (a generation it saved) stay with the model's history. Scans from the first event stamped an hour
   * before `since`: the archive is appended in time order, and the hour absorbs clock adjustments.
   */
  async sessionCursors(sessionId: string, since: number): Promise<number[]> {
    const cursors: number[] = [];
    for (let after = await this.#before(since - SCAN_MARGIN_MS); ; ) {
      const batch = await this.read(after, 1000);
      if (batch.length === 0) return cursors;
      for (const e of batch) if (e.sessionId === sessionId && e.model === undefined) cursors.push(e.cursor);
      after = batch.at(-1)!.cursor;
    }
  }

  /** A cursor after which every event stamped `time` or later lies (binary search over the time-ordered log). */
  async #before(time: number): Promise<number> {
    let lo = 0;
    let hi = await this.lastCursor();
    while (lo < hi) {
      const mid = Math.floor((lo + hi) / 2);
      const [next] = await this.read(mid, 1);
      if (next === undefined || next.time >= time) hi = mid;
      else lo = next.cursor;
    }
    return Math.min(lo, hi);
  }

  /** A transaction op that removes these events; every other event keeps its cursor. */
  removeOp(cursors: number[]): TxOp {
    return { op: 'deleteEntries', log: EVENT_LOG, cursors };
  }

  async lastCursor(): Promise<number> {
    return this.#store.lastCursor(EVENT_LOG);
  }

  /** Reads raw entries after a cursor, unfiltered. */
  async read(after: number, limit: number): Promise<SwarmEvent[]> {
    const entries = await this.#store.read<Stored>(EVENT_LOG, { after, limit });
    return entries.map((e) => ({ ...e.value, cursor: e.cursor }) as SwarmEvent);
  }

  /** Events matching `filter` after a cursor, scanning at most `scanLimit` entries. */
  async page(filter: EventFilter, options: PageOptions = {}): Promise<EventPage> {
    const limit = options.limit ?? 500;
    const scanLimit = options.scanLimit ?? 20_000;
    const match = compileFilter(filter);
    const events: SwarmEvent[] = [];
    let next = options.after ?? 0;
    let scanned = 0;
    while (events.length < limit && scanned < scanLimit) {
      const batch = await this.read(next, Math.min(1000, scanLimit - scanned));
      if (batch.length === 0) break;
      for (const e of batch) {
        scanned++;
        next = e.cursor;
        if (match(e)) {
          events.push(e);
          if (events.length === limit) break;
        }
      }
    }
    return { events, next };
  }
}
