/**
 * Report streams over plain HTTP + JSON, for clients without the WebSocket channel (the Python client, curl).
 * Same guarantees as the channel: a batch and its number are stored in one transaction, so a resent batch is
 * acknowledged without being stored twice, across retries and manager restarts. A stream counts as connected
 * while it was heard from within `LIVE_MS`; stop requests ride on every answer.
 */

import type { ChannelBatch } from '../api/index.js';
import { ConflictError } from '../errors/index.js';
import type { EventArchive } from '../events/index.js';
import type { Store } from '../store/index.js';
import { batchOps } from './batch-ops.js';
import type { StreamState } from './channel.js';
import { streamKey } from './channel.js';
import type { MetricSeries } from './series.js';

/** How long after its last request an HTTP stream still counts as connected (clients poll every ~1 s). */
export const LIVE_MS = 5_000;

export interface ReportAnswer {
  /** Highest batch number of the stream that is stored. */
  acked: number;
  /** The session was asked to stop, and why; null otherwise. */
  stop: string | null;
}

export interface HttpStreamsDeps {
  store: Store;
  archive: EventArchive;
  series: MetricSeries;
  /** Runs before a stream is served: throws (NotFoundError) for an unknown session. */
  admit: (sessionId: string) => Promise<void>;
  /** The stop request kept for a session, if any. */
  stopOf: (sessionId: string) => string | undefined;
}

export class HttpStreams {
  readonly #deps: HttpStreamsDeps;
  /** Session → stream → time it was last heard from. */
  readonly #seen = new Map<string, Map<string, number>>();
  /** One request at a time per stream, so a batch and its retry never race each other. */
  readonly #tails = new Map<string, Promise<unknown>>();

  constructor(deps: HttpStreamsDeps) {
    this.#deps = deps;
  }

  /** Opens or polls a stream: what is stored of it and whether the session should stop. */
  poll(sessionId: string, stream: string, sdk: string): Promise<ReportAnswer> {
    return this.#serial(sessionId, stream, async () => {
      const acked = await this.#hear(sessionId, stream, sdk);
      return { acked: acked.value?.seq ?? 0, stop: this.#stop(sessionId) };
    });
  }

  /** Stores a batch unless it already is; a batch number past the next one is a ConflictError. */
  report(
    sessionId: string,
    stream: string,
    batch: ChannelBatch,
    sdk: string,
  ): Promise<ReportAnswer & { duplicate: boolean }> {
    return this.#serial(sessionId, stream, async () => {
      const doc = await this.#hear(sessionId, stream, sdk);
      const acked = doc.value?.seq ?? 0;
      const stop = this.#stop(sessionId);
      if (batch.q <= acked) return { acked, duplicate: true, stop };
      if (batch.q !== acked + 1) {
        throw new ConflictError(`q: batch ${batch.q} after ${acked} leaves a gap; resend from ${acked + 1}`, {
          details: { field: 'q', acked, sessionId },
        });
      }
      const key = streamKey(sessionId, stream);
      const state: StreamState = { seq: batch.q, time: Date.now() };
      const ops = batchOps(this.#deps, sessionId, batch);
      ops.push({ op: 'put', key, value: state, ifVersion: doc.version });
      try {
        await this.#deps.store.commit(ops);
      } catch (err) {
        // Another writer of this stream (a second manager, or the same id reused over the WebSocket) won.
        const now = await this.#deps.store.get<StreamState>(key);
        if (err instanceof ConflictError && (now?.value.seq ?? 0) >= batch.q)
          return { acked: now!.value.seq, duplicate: true, stop };
        throw err;
      }
      return { acked: batch.q, duplicate: false, stop };
    });
  }

  /** The client is done with the stream. */
  async close(sessionId: string, stream: string): Promise<void> {
    await this.#deps.admit(sessionId);
    const streams = this.#seen.get(sessionId);
    if (!streams?.delete(stream)) return;
    if (streams.size === 0) this.#seen.delete(sessionId);
    await this.#deps.archive.append({
      type: 'session.disconnected',
      sessionId,
      data: { stream, code: 1000, reason: 'closed' },
    });
  }

  /** True while one of the session's HTTP streams was heard from recently. */
  isLive(sessionId: string, now = Date.now()): boolean {
    for (const at of this.#seen.get(sessionId)?.values() ?? []) if (now - at < LIVE_MS) return true;
    return false;
  }

  /** Forgets a session's streams (it ended). */
  forget(sessionId: string): void {
    this.#seen.delete(sessionId);
  }

  #stop(sessionId: string): string | null {
    return this.#deps.stopOf(sessionId) ?? null;
  }

  /** Admits the request, reads the stream's state, and archives `session.connected` the first time it is heard. */
  async #hear(
    sessionId: string,
    stream: string,
    sdk: string,
  ): Promise<{ value?: StreamState; version: number }> {
    await this.#deps.admit(sessionId);
    const doc = await this.#deps.store.get<StreamState>(streamKey(sessionId, stream));
    let streams = this.#seen.get(sessionId);
    if (!streams?.has(stream)) {
      await this.#deps.archive.append({
        type: 'session.connected',
        sessionId,
        data: { stream, sdk, resumed: doc !== undefined, transport: 'http' },
      });
      streams ??= new Map();
      this.#seen.set(sessionId, streams);
    }
    streams.set(stream, Date.now());
    return doc ? { value: doc.value, version: doc.version } : { version: 0 };
  }

  #serial<T>(sessionId: string, stream: string, run: () => Promise<T>): Promise<T> {
    const key = `${sessionId}/${stream}`;
    const next = (this.#tails.get(key) ?? Promise.resolve()).then(run, run);
    const tail = next.catch(() => {});
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return next;
  }
}
