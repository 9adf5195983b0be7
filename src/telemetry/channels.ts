/**
 * The registry of live session channels. The sessions domain uses it to ask a running session to stop
 * gracefully (`requestStop`) and to see whether its SDK is connected; the transport opens and closes channels.
 */
import type { Logger } from 'pino';
import { type ChannelHello, CloseCode } from '../api/index.js';
import type { EventArchive } from '../events/index.js';
import type { Store } from '../store/index.js';
import { Channel, type ChannelPeer, type StreamState, streamKey } from './channel.js';
import { HttpStreams } from './http-streams.js';
import type { MetricSeries } from './series.js';

/** Throws (e.g. NotFoundError) to refuse a channel for a session id. */
export type AdmissionCheck = (sessionId: string) => void | Promise<void>;

/** Stop requests kept for sessions that are not connected yet, delivered when they connect. */
const MAX_PENDING_STOPS = 10_000;

export class SessionChannels {
  readonly #deps: { store: Store; archive: EventArchive; series: MetricSeries; logger: Logger };
  /** Live channels per session (several when a session runs several ranks). */
  readonly #live = new Map<string, Set<Channel>>();
  readonly #stops = new Map<string, string>();
  readonly #pending = new Set<Promise<unknown>>();
  #admission: AdmissionCheck | undefined;
  #closed = false;
  /** Report streams over HTTP + JSON: same store writes, liveness by recent requests. */
  readonly http: HttpStreams;

  constructor(store: Store, archive: EventArchive, series: MetricSeries, logger: Logger) {
    this.#deps = { store, archive, series, logger };
    this.http = new HttpStreams({
      store,
      archive,
      series,
      admit: async (id) => {
        await this.#admission?.(id);
      },
      stopOf: (id) => this.#stops.get(id),
    });
  }

  /** Installs the check run before a channel opens (the sessions domain: "does this session exist?"). */
  setAdmission(check: AdmissionCheck | undefined): void {
    this.#admission = check;
  }

  /**
   * Asks every connected process of the session to stop; true if at least one live channel got it or an HTTP
   * stream of the session is live (its next answer carries the request). The request is also kept and handed to
   * processes of the session that connect later.
   */
  requestStop(sessionId: string, reason: string): boolean {
    this.#stops.delete(sessionId);
    this.#stops.set(sessionId, reason);
    if (this.#stops.size > MAX_PENDING_STOPS) this.#stops.delete(this.#stops.keys().next().value!);
    const live = this.#live.get(sessionId);
    for (const ch of live ?? []) ch.peer.send({ k: 'stop', reason });
    return this.isConnected(sessionId);
  }

  /** Forgets a kept stop request and HTTP streams (once the session has ended). */
  forget(sessionId: string): void {
    this.#stops.delete(sessionId);
    this.http.forget(sessionId);
  }

  isConnected(sessionId: string): boolean {
    return (this.#live.get(sessionId)?.size ?? 0) > 0 || this.http.isLive(sessionId);
  }

  /**
   * Opens a channel after `hello`: runs the admission check, takes over a live connection of the same
   * stream (after its in-flight batches are stored, so none is stored twice), archives `session.connected`
   * and sends `welcome` with the last stored batch number.
   */
  async open(sessionId: string, hello: ChannelHello, peer: ChannelPeer): Promise<Channel> {
    return this.#track(this.#open(sessionId, hello, peer));
  }

  async #open(sessionId: string, hello: ChannelHello, peer: ChannelPeer): Promise<Channel> {
    await this.#admission?.(sessionId);
    for (const old of this.#live.get(sessionId) ?? []) {
      if (old.stream !== hello.stream) continue;
      this.#live.get(sessionId)?.delete(old);
      old.peer.close(CloseCode.replaced, 'replaced by a newer connection of this stream');
      await old.stop();
    }
    const doc = await this.#deps.store.get<StreamState>(streamKey(sessionId, hello.stream));
    const channel = new Channel(
      this.#deps,
      sessionId,
      hello.stream,
      peer,
      doc?.value.seq ?? 0,
      doc?.version ?? 0,
    );
    const { stream, sdk, pid, host, rank, worldSize } = hello;
    const data = { stream, sdk, resumed: doc !== undefined, pid, host, rank, worldSize };
    for (const [k, v] of Object.entries(data))
      if (v === undefined) delete (data as Record<string, unknown>)[k];
    await this.#deps.archive.append({ type: 'session.connected', sessionId, data });
    if (this.#closed) throw new Error('the manager is shutting down');
    const live = this.#live.get(sessionId) ?? new Set<Channel>();
    this.#live.set(sessionId, live.add(channel));
    const stop = this.#stops.get(sessionId);
    peer.send({ k: 'welcome', acked: channel.acked, ...(stop === undefined ? {} : { stop }) });
    return channel;
  }

  /** The transport reports a closed socket: stored batches stay, the rest the client resends. */
  closed(channel: Channel, code: number, reason: string): Promise<void> {
    const live = this.#live.get(channel.sessionId);
    const wasLive = live?.delete(channel) ?? false;
    if (live?.size === 0) this.#live.delete(channel.sessionId);
    return this.#track(
      (async () => {
        await channel.stop();
        if (!wasLive) return; // replaced: the newer connection carries on
        await this.#deps.archive.append({
          type: 'session.disconnected',
          sessionId: channel.sessionId,
          data: { stream: channel.stream, code, reason },
        });
      })().catch((err) =>
        this.#deps.logger.warn({ err, sessionId: channel.sessionId }, 'closing a channel failed'),
      ),
    );
  }

  /** Closes every channel (the SDK reconnects to the next manager) and waits for their writes. Idempotent. */
  async close(): Promise<void> {
    this.#closed = true;
    const all = [...this.#live.values()].flatMap((set) => [...set]);
    for (const ch of all) ch.peer.close(1001, 'manager shutting down');
    await Promise.allSettled(all.map((ch) => ch.stop()));
    while (this.#pending.size > 0) await Promise.allSettled([...this.#pending]);
  }

  #track<T>(p: Promise<T>): Promise<T> {
    this.#pending.add(p);
    void p.finally(() => this.#pending.delete(p)).catch(() => {});
    return p;
  }
}
