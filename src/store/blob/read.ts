/** Range planning and chunk verification shared by the blob readers of both backends. */
import { createHash } from 'node:crypto';
import { CorruptError, InvalidError } from '../../errors/index.js';
import type { BlobInfo, BlobReadOptions } from '../types.js';

/** One chunk to read and the part of it that falls in the requested range. */
export interface ChunkSlice {
  index: number;
  sha: string;
  /** Byte offset of `from` within the blob. */
  offset: number;
  from: number;
  to: number;
}

export function planRead(info: BlobInfo, options: BlobReadOptions = {}): ChunkSlice[] {
  const start = options.start ?? 0;
  const end = Math.min(options.end ?? info.size, info.size);
  if (!Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || start > end) {
    throw new InvalidError(
      `invalid byte range [${options.start}, ${options.end}) for a blob of ${info.size} bytes`,
      {
        details: { digest: info.digest, start: options.start, end: options.end },
      },
    );
  }
  const slices: ChunkSlice[] = [];
  if (start === end) return slices;
  const first = Math.floor(start / info.chunkSize);
  const last = Math.floor((end - 1) / info.chunkSize);
  for (let index = first; index <= last; index++) {
    const base = index * info.chunkSize;
    const from = Math.max(start - base, 0);
    const to = Math.min(end - base, info.chunkSize);
    slices.push({ index, sha: info.chunks[index]!, offset: base + from, from, to });
  }
  return slices;
}

/** Throws CorruptError when a chunk is missing, has the wrong length, or no longer hashes to its sha256. */
export function checkChunk(
  info: BlobInfo,
  slice: ChunkSlice,
  bytes: Uint8Array | undefined,
  verify: boolean,
): asserts bytes is Uint8Array {
  const details = { digest: info.digest, chunk: slice.index, sha: slice.sha };
  if (bytes === undefined) {
    throw new CorruptError(`blob ${info.digest}: chunk ${slice.index} is missing`, { details });
  }
  const expected = Math.min(info.chunkSize, info.size - slice.index * info.chunkSize);
  if (bytes.length !== expected) {
    throw new CorruptError(
      `blob ${info.digest}: chunk ${slice.index} has ${bytes.length} bytes, expected ${expected}`,
      {
        details,
      },
    );
  }
  if (verify && createHash('sha256').update(bytes).digest('hex') !== slice.sha) {
    throw new CorruptError(`blob ${info.digest}: chunk ${slice.index} does not match its sha256`, {
      details,
    });
  }
}

export function checkChunkSize(chunkSize: number): number {
  if (!Number.isSafeInteger(chunkSize) || chunkSize < 1024 || chunkSize > 256 * 1024 * 1024) {
    throw new InvalidError('chunkSize must be an integer between 1 KiB and 256 MiB', {
      details: { chunkSize },
    });
  }
  return chunkSize;
}
