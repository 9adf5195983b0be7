/**
 * One live session channel: queues received batches, stores them with their batch number in one transaction
 * (several queued batches share a commit when the store is the bottleneck), and acknowledges them.
 */
import type { Logger } from 'pino';
import { type ChannelBatch, type ChannelDown, CloseCode } from '../api/index.js';
import { ConflictError, InvalidError } from '../errors/index.js';
import type { EventArchive } from '../events/index.js';
import type { Store } from '../store/index.js';
import { batchOps } from './batch-ops.js';
import type { MetricSeries } from './series.js';

/** What the transport gives a channel: a way to talk back and to apply back-pressure. */
export interface ChannelPeer {
  send(message: ChannelDown): void;
  close(code: number, reason: string): void;
  pause(): void;
  resume(): void;
}

/** Where the stream's last stored batch number lives. */
export const streamKey = (sessionId: string, stream: string): string => `channels/${sessionId}/${stream}`;

export interface StreamState {
  seq: number;
  time: number;
}

/** Batches waiting for the store beyond which the socket stops being read. */
const HIGH_WATER = 32;

export interface ChannelDeps {
  store: Store;
  archive: EventArchive;
  series: MetricSeries;
  logger: Logger;
}

export class Channel {
  readonly sessionId: string;
  readonly stream: string;
  readonly peer: ChannelPeer;
  readonly #deps: ChannelDeps;
  /** Highest batch number stored, and the version of its record (for compare-and-set). */
  #acked: number;
  #version: number;
  /** Highest batch number accepted into the queue. */
  #accepted: number;
  #queue: ChannelBatch[] = [];
  #running: Promise<void> | undefined;
  #paused = false;
  #closed = false;

  constructor(
    deps: ChannelDeps,
    sessionId: string,
    stream: string,
    peer: ChannelPeer,
    acked: number,
    version: number,
  ) {
    this.#deps = deps;
    this.sessionId = sessionId;
    this.stream = stream;
    this.peer = peer;
    this.#acked = acked;
    this.#accepted = acked;
    this.#version = version;
  }

  get acked(): number {
    return this.#acked;
  }

  get version(): number {
    return this.#version;
  }

  /** Queues a batch; a resent batch already stored is only re-acknowledged. InvalidError on a gap. */
  accept(batch: ChannelBatch): void {
    if (this.#closed) return;
    if (batch.q <= this.#accepted) {
      if (batch.q <= this.#acked) this.peer.send({ k: 'ack', q: this.#acked });
      return;
    }
    if (batch.q !== this.#accepted + 1) {
      throw new InvalidError(`q: batch ${batch.q} after ${this.#accepted} leaves a gap`, {
        details: { field: 'q', sessionId: this.sessionId },
      });
    }
    this.#accepted = batch.q;
    this.#queue.push(batch);
    if (this.#queue.length >= HIGH_WATER && !this.#paused) {
      this.#paused = true;
      this.peer.pause();
    }
    this.#running ??= this.#drain().finally(() => {
      this.#running = undefined;
    });
  }

  /** Stops taking batches; resolves once the batches being stored are done. */
  async stop(): Promise<void> {
    this.#closed = true;
    this.#queue = [];
    await this.#running;
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0 && !this.#closed) {
      const batches = this.#queue;
      this.#queue = [];
      if (this.#paused) {
        this.#paused = false;
        this.peer.resume();
      }
      const last = batches.at(-1)!.q;
      const ops = batches.flatMap((b) => batchOps(this.#deps, this.sessionId, b));
      const state: StreamState = { seq: last, time: Date.now() };
      ops.push({
        op: 'put',
        key: streamKey(this.sessionId, this.stream),
        value: state,
        ifVersion: this.#version,
      });
      try {
        const result = await this.#deps.store.commit(ops);
        this.#version = result.versions[streamKey(this.sessionId, this.stream)] ?? this.#version + 1;
      } catch (err) {
        this.#closed = true;
        const conflict = err instanceof ConflictError;
        if (!conflict)
          this.#deps.logger.error({ err, sessionId: this.sessionId }, 'storing a session batch failed');
        // The client resends every unacknowledged batch after reconnecting.
        this.peer.close(
          conflict ? CloseCode.replaced : CloseCode.unavailable,
          conflict ? 'stream taken over' : 'store unavailable, retry',
        );
        return;
      }
      this.#acked = last;
      this.peer.send({ k: 'ack', q: last });
    }
  }
}
