/**
 * The session client's outgoing queue: builds batches (metric points in columns + other items), numbers them
 * 1, 2, 3… and keeps each sealed batch until the manager acknowledges it, so a reconnect resends the same
 * bytes under the same number and the manager can drop what it already stored. Bounded: see `maxQueued`.
 */
import { endianness } from 'node:os';
import { Packr } from 'msgpackr';
import type { ChannelBatch, ChannelItem, PackedPoints } from '../api/index.js';

export interface OutboxOptions {
  /** Points per batch before it is sealed without waiting for the flush timer. */
  maxBatchPoints: number;
  /** Points + items kept (unsent or unacknowledged) at most; beyond it new reports are dropped and counted. */
  maxQueued: number;
}

export interface Frame {
  q: number;
  bytes: Buffer;
  /** Points + items in the batch. */
  size: number;
}

const packr = new Packr({ useRecords: false });
const LE = endianness() === 'LE';
const MAX_NAMES = 65_535;
/** Items per batch (the manager takes up to 10,000). */
const MAX_ITEMS = 1000;

/** Little-endian bytes of the first `n` elements (copied, since the builder's arrays are reused). */
function bytes(a: Float64Array | Uint16Array, n: number): Uint8Array {
  const width = a.BYTES_PER_ELEMENT;
  const out = new Uint8Array(new Uint8Array(a.buffer, 0, n * width));
  if (!LE) {
    for (let k = 0; k < out.length; k += width) out.subarray(k, k + width).reverse();
  }
  return out;
}

export class Outbox {
  readonly #opts: OutboxOptions;
  #names = new Map<string, number>();
  #idx: Uint16Array;
  #v: Float64Array;
  #s: Float64Array;
  #t: Float64Array;
  #count = 0;
  #items: ChannelItem[] = [];
  /** Sealed batches not yet acknowledged, in order. */
  readonly frames: Frame[] = [];
  #nextQ = 1;
  #acked = 0;
  #queued = 0;
  dropped = 0;

  constructor(options: OutboxOptions) {
    this.#opts = options;
    const n = options.maxBatchPoints;
    this.#idx = new Uint16Array(n);
    this.#v = new Float64Array(n);
    this.#s = new Float64Array(n);
    this.#t = new Float64Array(n);
  }

  /** Points + items in the batch being built. */
  get building(): number {
    return this.#count + this.#items.length;
  }

  /** Points + items not yet acknowledged. */
  get queued(): number {
    return this.#queued;
  }

  get acked(): number {
    return this.#acked;
  }

  /** Number of the last sealed batch. */
  get sealed(): number {
    return this.#nextQ - 1;
  }

  get full(): boolean {
    return (
      this.#count >= this.#opts.maxBatchPoints ||
      this.#names.size >= MAX_NAMES ||
      this.#items.length >= MAX_ITEMS
    );
  }

  /** Adds a point; false when the queue is full and the point was dropped. Seal when `full`. */
  addPoint(name: string, value: number, step: number, time: number): boolean {
    if (this.#queued >= this.#opts.maxQueued) {
      this.dropped++;
      return false;
    }
    let i = this.#names.get(name);
    if (i === undefined) {
      i = this.#names.size;
      this.#names.set(name, i);
    }
    const k = this.#count++;
    this.#idx[k] = i;
    this.#v[k] = value;
    this.#s[k] = step;
    this.#t[k] = time;
    this.#queued++;
    return true;
  }

  addItem(item: ChannelItem): boolean {
    if (this.#queued >= this.#opts.maxQueued) {
      this.dropped++;
      return false;
    }
    // Log lines written back to back travel as one event.
    const last = this.#items.at(-1);
    if (item.k === 'log' && last?.k === 'log' && last.lines.length < 1000) last.lines.push(...item.lines);
    else this.#items.push(item);
    this.#queued++;
    return true;
  }

  /** Turns the batch being built into a numbered frame; undefined when there is nothing to send. */
  seal(): Frame | undefined {
    const size = this.building;
    if (size === 0) return undefined;
    const batch: ChannelBatch = { k: 'batch', q: this.#nextQ++ };
    if (this.#count > 0) {
      const m: PackedPoints = {
        n: [...this.#names.keys()],
        i: bytes(this.#idx, this.#count),
        v: bytes(this.#v, this.#count),
        s: bytes(this.#s, this.#count),
        t: bytes(this.#t, this.#count),
      };
      batch.m = m;
    }
    if (this.#items.length > 0) batch.x = this.#items;
    const frame: Frame = { q: batch.q, bytes: packr.pack(batch), size };
    this.frames.push(frame);
    this.#names = new Map();
    this.#count = 0;
    this.#items = [];
    return frame;
  }

  /** Forgets every frame up to `q` (stored by the manager). */
  ack(q: number): void {
    if (q <= this.#acked) return;
    this.#acked = q;
    let drop = 0;
    while (drop < this.frames.length && this.frames[drop]!.q <= q) this.#queued -= this.frames[drop++]!.size;
    this.frames.splice(0, drop);
  }

  /** The frame numbered `q`, if not yet acknowledged. */
  frame(q: number): Frame | undefined {
    const first = this.frames[0];
    return first ? this.frames[q - first.q] : undefined;
  }
}
