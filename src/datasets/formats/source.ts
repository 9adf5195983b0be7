// Helpers over raw byte streams: picking files, transparent gunzip, and exact-length binary reads.

import { constants } from 'node:buffer';
import { Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { InvalidError, TooLargeError } from '../../errors/index.js';
import type { ImportFile, ImportSource } from './columns.js';

/** The one file of a single-file format. */
export function singleFile(source: ImportSource<unknown>, format: string): ImportFile {
  if (source.files.length !== 1) {
    throw new InvalidError(`${format} import takes exactly one file, got ${source.files.length}`, {
      details: { field: 'files', count: source.files.length },
    });
  }
  return source.files[0] as ImportFile;
}

/** Yields the bytes of `body`, decompressed when they start with the gzip magic 1f 8b. */
export async function* maybeGunzip(
  body: AsyncIterable<Uint8Array>,
  name: string,
): AsyncGenerator<Uint8Array> {
  const it = body[Symbol.asyncIterator]();
  const head: Uint8Array[] = [];
  let headLen = 0;
  while (headLen < 2) {
    const next = await it.next();
    if (next.done) break;
    head.push(next.value);
    headLen += next.value.length;
  }
  const first = head[0];
  const second = first && first.length >= 2 ? first[1] : head[1]?.[0];
  if (!(first?.[0] === 0x1f && second === 0x8b)) {
    yield* head;
    for (;;) {
      const next = await it.next();
      if (next.done) return;
      yield next.value;
    }
  }
  async function* raw(): AsyncGenerator<Uint8Array> {
    yield* head;
    for (;;) {
      const next = await it.next();
      if (next.done) return;
      yield next.value;
    }
  }
  const gunzip = createGunzip({ chunkSize: 1 << 20 });
  const input = Readable.from(raw(), { objectMode: false });
  input.on('error', (err) => gunzip.destroy(err));
  input.pipe(gunzip);
  try {
    for await (const chunk of gunzip) yield chunk as Uint8Array;
  } catch (err) {
    if (err instanceof InvalidError) throw err;
    const code = (err as { code?: string }).code;
    if (typeof code === 'string' && code.startsWith('Z_')) {
      throw new InvalidError(`${name}: gzip data is corrupt or truncated (${(err as Error).message})`, {
        details: { file: name, field: 'gzip' },
        cause: err,
      });
    }
    throw err;
  } finally {
    input.destroy();
  }
}

/** Pulls exact byte counts out of a chunked stream, copying only what straddles chunk boundaries. */
export class ByteReader {
  #it: AsyncIterator<Uint8Array>;
  #chunk: Uint8Array = new Uint8Array(0);
  #pos = 0;
  /** Bytes consumed so far: the offset of the next byte. */
  offset = 0;

  constructor(body: AsyncIterable<Uint8Array>) {
    this.#it = body[Symbol.asyncIterator]();
  }

  /**
   * Fills `out` (or a new array of `n` bytes) completely; returns how many bytes were available,
   * which is less than asked only at the end of the stream.
   */
  async readInto(out: Uint8Array): Promise<number> {
    let filled = 0;
    while (filled < out.length) {
      if (this.#pos === this.#chunk.length) {
        const next = await this.#it.next();
        if (next.done) break;
        this.#chunk = next.value;
        this.#pos = 0;
        continue;
      }
      const take = Math.min(out.length - filled, this.#chunk.length - this.#pos);
      out.set(this.#chunk.subarray(this.#pos, this.#pos + take), filled);
      this.#pos += take;
      filled += take;
    }
    this.offset += filled;
    return filled;
  }

  /** Counts (and discards) whatever bytes remain. */
  async drain(): Promise<number> {
    let n = this.#chunk.length - this.#pos;
    this.#pos = this.#chunk.length;
    for (;;) {
      const next = await this.#it.next();
      if (next.done) break;
      n += next.value.length;
    }
    this.offset += n;
    return n;
  }

  /**
   * Reads `n` bytes; throws an InvalidError naming `what` if the stream ends first. The buffer grows
   * with the data that actually arrives, so a header claiming a huge size costs nothing until then.
   */
  async readExact(n: number, what: string, file: string): Promise<Uint8Array> {
    const start = this.offset;
    if (!Number.isSafeInteger(n) || n > constants.MAX_LENGTH) {
      throw new TooLargeError(`${file}: ${what} of ${n} bytes is more than one array can hold`, {
        details: { file, field: what, offset: start, expected: n },
      });
    }
    let out = new Uint8Array(Math.min(n, INITIAL_READ));
    let filled = await this.readInto(out);
    while (filled === out.length && filled < n) {
      const next = new Uint8Array(Math.min(n, out.length * 2));
      next.set(out);
      out = next;
      filled += await this.readInto(out.subarray(filled));
    }
    if (filled < n) {
      throw new InvalidError(
        `${file}: truncated ${what}: expected ${n} bytes at offset ${start}, got ${filled} (file ends at ${start + filled})`,
        { details: { file, field: what, offset: start + filled, expected: n, actual: filled } },
      );
    }
    return out;
  }
}

/** A lying header over a short body costs at most this much; real data then doubles the buffer as it arrives. */
const INITIAL_READ = 1 << 20;
