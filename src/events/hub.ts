/**
 * Live fan-out of the archive: one tail of the event log per process, shared by every subscriber. A subscriber
 * resumes from a cursor: it replays from the store while the hub buffers live events for it, then drains the
 * buffer and goes live — so no event is missed and none is delivered twice across a reconnect.
 */

import type { EventFilter, SwarmEvent } from '../api/index.js';
import type { Store, Unsubscribe } from '../store/index.js';
import { EVENT_LOG, type EventArchive } from './archive.js';
import { compileFilter, type Matcher } from './filter.js';

export type EventListener = (event: SwarmEvent) => void;

interface Subscriber {
  match: Matcher;
  listener: EventListener;
  /** Cursor of the last event handled (delivered or filtered out). */
  last: number;
  /** Live events that arrived while the subscriber was still replaying. */
  buffer: SwarmEvent[] | null;
  closed: boolean;
}

const PAGE = 1000;

export class EventHub {
  readonly #store: Store;
  readonly #archive: EventArchive;
  readonly #subs = new Set<Subscriber>();
  #tail = 0;
  #pumping = false;
  #again = false;
  #unsubscribe: Unsubscribe | undefined;
  #started: Promise<void> | undefined;

  constructor(store: Store, archive: EventArchive) {
    this.#store = store;
    this.#archive = archive;
  }

  /** Starts tailing the archive from its current end. Idempotent. */
  start(): Promise<void> {
    this.#started ??= (async () => {
      this.#tail = await this.#archive.lastCursor();
      this.#unsubscribe = await this.#store.subscribe(EVENT_LOG, (change) => {
        if (change.kind === 'append' && change.log === EVENT_LOG) this.#pump();
      });
      // Anything appended between reading the tail and subscribing.
      this.#pump();
    })();
    return this.#started;
  }

  /**
   * Delivers every event after `after` that matches `filter`, in cursor order, then every new one as it is
   * archived. Resolves once the replay is done; call the returned function to stop.
   */
  async subscribe(filter: EventFilter, after: number, listener: EventListener): Promise<() => void> {
    await this.start();
    const sub: Subscriber = {
      match: compileFilter(filter),
      listener,
      last: after,
      buffer: [],
      closed: false,
    };
    this.#subs.add(sub);
    const stop = () => {
      sub.closed = true;
      this.#subs.delete(sub);
    };
    try {
      for (;;) {
        const batch = await this.#archive.read(sub.last, PAGE);
        for (const e of batch) {
          if (sub.closed) return stop;
          this.#deliver(sub, e);
        }
        if (batch.length < PAGE) break;
      }
    } catch (err) {
      stop();
      throw err;
    }
    // Drain what arrived live during the replay, then go live; no await in between.
    const buffered = sub.buffer ?? [];
    sub.buffer = null;
    for (const e of buffered) if (!sub.closed) this.#deliver(sub, e);
    return stop;
  }

  get subscriberCount(): number {
    return this.#subs.size;
  }

  async close(): Promise<void> {
    this.#subs.clear();
    await this.#unsubscribe?.();
    this.#unsubscribe = undefined;
  }

  #deliver(sub: Subscriber, e: SwarmEvent): void {
    if (e.cursor <= sub.last) return;
    sub.last = e.cursor;
    if (!sub.match(e)) return;
    try {
      sub.listener(e);
    } catch {
      // A failing listener must not stall the others; it is dropped.
      sub.closed = true;
      this.#subs.delete(sub);
    }
  }

  #pump(): void {
    if (this.#pumping) {
      this.#again = true;
      return;
    }
    this.#pumping = true;
    void this.#drain().finally(() => {
      this.#pumping = false;
      if (this.#again) {
        this.#again = false;
        this.#pump();
      }
    });
  }

  async #drain(): Promise<void> {
    for (;;) {
      let batch: SwarmEvent[];
      try {
        batch = await this.#archive.read(this.#tail, PAGE);
      } catch {
        return; // store closing; the next notification retries
      }
      for (const e of batch) {
        this.#tail = e.cursor;
        for (const sub of this.#subs) {
          if (sub.buffer) sub.buffer.push(e);
          else this.#deliver(sub, e);
        }
      }
      if (batch.length < PAGE) return;
    }
  }
}
