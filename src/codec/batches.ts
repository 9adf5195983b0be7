/**
 * The batch engine shared by the manager's intake stream and the SDK's node-local reader: walks this
 * rank's windows, loads the shards each one needs (the next window's while the current one is cut),
 * and gathers rows into one frame per batch, so both paths deliver identical batches.
 */

import type { ColumnSchema, ShardRef, StreamOptions } from '../api/index.js';
import { InvalidError } from '../errors/index.js';
import { MAX_FRAME_BYTES } from './frame.js';
import { gather, gatherSegments, type Picks, type RowBlock } from './rows.js';
import { rankWindows, type Window } from './sampler.js';

/** Loads shard `index` of the version as a row block. */
export type ShardLoader = (index: number) => Promise<RowBlock>;

export interface BatchSource {
  columns: ColumnSchema[];
  shards: ShardRef[];
  rows: number;
}

/** Default shuffle window: shards are permuted whole, rows within about this many bytes of shards. */
export const DEFAULT_WINDOW_BYTES = 64 * 1024 * 1024;

const U32 = 0xffff_ffff;

/** Checks stream parameters against the version; InvalidError naming the parameter. */
export function checkStreamOptions(source: BatchSource, opts: StreamOptions): StreamOptions {
  const bad = (field: string, message: string): never => {
    throw new InvalidError(`${field}: ${message}`, { details: { field } });
  };
  if (!Number.isSafeInteger(opts.batchSize) || opts.batchSize < 1 || opts.batchSize > 1_000_000)
    bad('batchSize', 'must be an integer from 1 to 1000000');
  if (!Number.isSafeInteger(opts.worldSize) || opts.worldSize < 1 || opts.worldSize > 65536)
    bad('worldSize', 'must be an integer from 1 to 65536');
  if (!Number.isSafeInteger(opts.rank) || opts.rank < 0 || opts.rank >= opts.worldSize)
    bad('rank', `must be an integer from 0 to worldSize - 1 (${opts.worldSize - 1})`);
  if (!Number.isSafeInteger(opts.epoch) || opts.epoch < 0 || opts.epoch > U32)
    bad('epoch', 'must be an integer ≥ 0');
  if (
    opts.shuffleSeed !== undefined &&
    (!Number.isSafeInteger(opts.shuffleSeed) || opts.shuffleSeed < 0 || opts.shuffleSeed > U32)
  )
    bad('shuffleSeed', 'must be an integer from 0 to 4294967295');
  const perRow = source.rows === 0 ? 0 : source.shards.reduce((a, s) => a + s.bytes, 0) / source.rows;
  if (perRow * opts.batchSize * 1.5 > MAX_FRAME_BYTES)
    bad('batchSize', `a batch of ${opts.batchSize} rows would exceed the 4 GiB frame limit`);
  return opts;
}

interface LoadedWindow {
  window: Window;
  /** Per window position: which loaded block and which row of it. */
  blocks: RowBlock[];
  starts: number[];
}

async function loadWindow(source: BatchSource, window: Window, load: ShardLoader): Promise<LoadedWindow> {
  const starts: number[] = [];
  let at = 0;
  for (const s of window.shards) {
    starts.push(at);
    at += source.shards[s]!.rows;
  }
  // Only the shards this rank picks from: a rank whose share ends mid-window skips the rest.
  const needed = new Set<number>();
  for (const p of window.picks) needed.add(shardAt(starts, p));
  const blocks: RowBlock[] = new Array(window.shards.length);
  await Promise.all(
    [...needed].map(async (k) => {
      blocks[k] = await load(window.shards[k]!);
    }),
  );
  return { window, blocks, starts };
}

function shardAt(starts: number[], pos: number): number {
  let lo = 0;
  let hi = starts.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (starts[mid]! <= pos) lo = mid;
    else hi = mid - 1;
  }
  return lo;
}

type BatchOptions = StreamOptions & { windowBytes?: number };

/** Turns one batch's picks into what the consumer reads or sends. */
type Cut<T> = (columns: ColumnSchema[], picks: Picks, head: { t: 'batch'; batch: number }) => T;

const wholeFrame: Cut<Uint8Array> = (columns, picks, head) => gather(columns, picks, head).frame;

/** This rank's batches for one epoch, each as one frame (`t: 'batch'`). */
export const batchFrames = (source: BatchSource, load: ShardLoader, opts: BatchOptions) =>
  batches(source, load, opts, wholeFrame);

/** The same batches, each as the byte segments of its frame (views of the shards where they can be). */
export const batchSegments = (source: BatchSource, load: ShardLoader, opts: BatchOptions) =>
  batches(source, load, opts, gatherSegments);

async function* batches<T>(
  source: BatchSource,
  load: ShardLoader,
  opts: BatchOptions,
  cut: Cut<T>,
): AsyncGenerator<{ frame: T; rows: number }> {
  const size = opts.batchSize;
  const windows = rankWindows(source.shards, {
    ...opts,
    windowBytes: opts.windowBytes ?? DEFAULT_WINDOW_BYTES,
  });
  const picks: Picks = { blocks: [], block: new Uint32Array(size), row: new Uint32Array(size), count: 0 };
  let blockIds = new Map<RowBlock, number>();
  let lastBlock: RowBlock | undefined;
  let lastId = -1;
  let batch = 0;
  const nextLoad = (): Promise<LoadedWindow> | undefined => {
    const w = windows.next();
    return w.done ? undefined : loadWindow(source, w.value, load);
  };
  let pending = nextLoad();
  while (pending) {
    const current = await pending;
    pending = nextLoad();
    // A rejected prefetch is reported when it is awaited, not as an unhandled rejection meanwhile.
    pending?.catch(() => {});
    const { window, blocks, starts } = current;
    let k = 0;
    const order = window.picks;
    for (let i = 0; i < order.length; i++) {
      const pos = order[i]!;
      if (!(pos >= starts[k]! && (k + 1 >= starts.length || pos < starts[k + 1]!))) k = shardAt(starts, pos);
      const block = blocks[k]!;
      // Consecutive picks mostly share a block: the map is asked only when the block changes.
      if (block !== lastBlock) {
        lastBlock = block;
        lastId = blockIds.get(block) ?? -1;
        if (lastId < 0) {
          lastId = picks.blocks.length;
          picks.blocks.push(block);
          blockIds.set(block, lastId);
        }
      }
      picks.block[picks.count] = lastId;
      picks.row[picks.count] = pos - starts[k]!;
      if (++picks.count === size) {
        yield { frame: cut(source.columns, picks, { t: 'batch', batch: batch++ }), rows: size };
        // `cut` keeps nothing of the picks (frames copy rows or view the blocks): the arrays are reused.
        picks.blocks = [];
        picks.count = 0;
        blockIds = new Map();
        lastBlock = undefined;
      }
    }
  }
  if (picks.count > 0) {
    yield { frame: cut(source.columns, picks, { t: 'batch', batch: batch++ }), rows: picks.count };
  }
}
