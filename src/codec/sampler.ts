/**
 * The order rows are delivered in. Shuffled epochs permute the shards, group them into windows of
 * about `windowBytes`, and permute the rows inside each window (a seeded Fisher–Yates per window), so
 * a reader holds one window of shards at a time; a version that fits in one window gets a uniform
 * permutation of all its rows. The global order is then cut into `worldSize` contiguous shares:
 * rank r takes positions [⌊rN/W⌋, ⌊(r+1)N/W⌋), so every row is delivered exactly once per epoch.
 */
import type { ShardRef, StreamOptions } from '../api/index.js';

/** A deterministic 32-bit generator (sfc32) seeded from any number of 32-bit words. */
export function rng(...words: number[]): () => number {
  let a = 0x9e3779b9;
  let b = 0x243f6a88;
  let c = 0xb7e15162;
  let d = 1;
  for (const w of words) {
    a = Math.imul(a ^ (w >>> 0), 0x85ebca6b);
    b = Math.imul(b ^ a, 0xc2b2ae35) ^ (b >>> 13);
    c = (c + (a ^ (a >>> 16))) | 0;
  }
  const next = (): number => {
    a |= 0;
    b |= 0;
    c |= 0;
    d |= 0;
    const t = (((a + b) | 0) + d) | 0;
    d = (d + 1) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) | 0;
    return (t >>> 0) / 4294967296;
  };
  for (let i = 0; i < 12; i++) next();
  return next;
}

/** `count` consecutive integers from `from` (a plain loop: `Uint32Array.from` with a callback costs ~50 ns a row). */
function iota(from: number, count: number): Uint32Array {
  const out = new Uint32Array(count);
  for (let k = 0; k < count; k++) out[k] = from + k;
  return out;
}

/** Fisher–Yates in place. */
export function shuffle(a: Uint32Array, random: () => number): Uint32Array {
  for (let i = a.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    const t = a[i]!;
    a[i] = a[j]!;
    a[j] = t;
  }
  return a;
}

/** A window: the shards (indices into the manifest's list) whose rows it permutes, and this rank's picks. */
export interface Window {
  shards: number[];
  /** Positions within the window's rows (shards concatenated in `shards` order), in delivery order. */
  picks: Uint32Array;
}

export interface SamplerOptions extends Pick<StreamOptions, 'rank' | 'worldSize' | 'epoch'> {
  shuffleSeed?: number;
  windowBytes: number;
}

/** This rank's rows for one epoch, window by window. */
export function* rankWindows(shards: ShardRef[], opts: SamplerOptions): Generator<Window> {
  const total = shards.reduce((a, s) => a + s.rows, 0);
  const lo = Math.floor((opts.rank * total) / opts.worldSize);
  const hi = Math.floor(((opts.rank + 1) * total) / opts.worldSize);
  const seeded = opts.shuffleSeed !== undefined;
  const order = Uint32Array.from(shards.keys());
  if (seeded) shuffle(order, rng(opts.shuffleSeed!, opts.epoch, 0x5eed));
  let pos = 0;
  let windowIndex = 0;
  for (let i = 0; i < order.length && pos < hi; ) {
    const members: number[] = [];
    let bytes = 0;
    let rows = 0;
    // Unshuffled reads go shard by shard; shuffled ones gather shards until the window is full.
    do {
      const s = shards[order[i]!]!;
      members.push(order[i]!);
      bytes += s.bytes;
      rows += s.rows;
      i++;
    } while (seeded && i < order.length && bytes + shards[order[i]!]!.bytes <= opts.windowBytes);
    const from = Math.max(lo - pos, 0);
    const to = Math.min(hi - pos, rows);
    if (to > from) {
      let picks: Uint32Array;
      if (seeded) {
        const perm = shuffle(iota(0, rows), rng(opts.shuffleSeed!, opts.epoch, windowIndex + 1));
        picks = perm.subarray(from, to);
      } else {
        picks = iota(from, to - from);
      }
      yield { shards: members, picks };
    }
    pos += rows;
    windowIndex++;
  }
}
