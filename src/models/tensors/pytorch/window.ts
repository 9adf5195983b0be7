/**
 * The parts of a streamed zip that a checkpoint's checks read, kept while it uploads: its first bytes (torch
 * writes data.pkl first), its last bytes (end records and central directory), and the fixed 30 bytes after
 * every local-header signature, since torch's local headers give no sizes and so cannot be walked in order.
 */
import { MAX_PICKLE_BYTES } from './checkpoint.js';
import { MAX_CENTRAL_DIRECTORY, type ZipBytes } from './zip.js';

const LOCAL_SIG = Buffer.from([0x50, 0x4b, 0x03, 0x04]);
const LOCAL_HEADER = 30;

export interface WindowLimits {
  head: number;
  tail: number;
  /** Signatures also occur by chance inside tensor data; past this many, headers are no longer kept. */
  maxHeaders: number;
}

const DEFAULTS: WindowLimits = {
  head: MAX_PICKLE_BYTES + 64 * 1024,
  tail: MAX_CENTRAL_DIRECTORY + 128 * 1024,
  maxHeaders: 200_000,
};

export class ZipWindow implements ZipBytes {
  readonly #limits: WindowLimits;
  readonly #head: Uint8Array[] = [];
  #headBytes = 0;
  #tail: Uint8Array[] = [];
  #tailBytes = 0;
  #tailJoined: Uint8Array | undefined;
  /** Offset → the header's bytes, possibly still filling. */
  readonly #headers = new Map<number, { bytes: Uint8Array; filled: number }>();
  #filling: number[] = [];
  #carry = Buffer.alloc(0);
  size = 0;

  constructor(limits: Partial<WindowLimits> = {}) {
    this.#limits = { ...DEFAULTS, ...limits } satisfies WindowLimits;
  }

  push(chunk: Uint8Array): void {
    const base = this.size;
    this.size += chunk.byteLength;
    if (this.#headBytes < this.#limits.head) {
      const part = Uint8Array.from(chunk.subarray(0, this.#limits.head - this.#headBytes));
      this.#head.push(part);
      this.#headBytes += part.byteLength;
    }
    this.#keepTail(chunk);
    this.#fill(chunk, base);
    // A signature may straddle the previous chunk, so the search starts in its last 3 bytes.
    const joined = Buffer.concat([this.#carry, chunk]);
    const origin = base - this.#carry.length;
    for (let i = joined.indexOf(LOCAL_SIG); i >= 0; i = joined.indexOf(LOCAL_SIG, i + 1)) {
      // A file made of signatures is then refused when a header it needs is found missing.
      if (this.#headers.size >= this.#limits.maxHeaders) break;
      const bytes = new Uint8Array(LOCAL_HEADER);
      const filled = joined.copy(bytes, 0, i, i + LOCAL_HEADER);
      this.#headers.set(origin + i, { bytes, filled });
      if (filled < LOCAL_HEADER) this.#filling.push(origin + i);
    }
    this.#carry = joined.subarray(Math.max(0, joined.length - (LOCAL_SIG.length - 1)));
  }

  at(offset: number, length: number): Uint8Array | undefined {
    if (offset < 0 || offset + length > this.size) return undefined;
    if (offset + length <= this.#headBytes) {
      return this.#head.length === 1
        ? this.#head[0]!.subarray(offset, offset + length)
        : this.#joinHead(offset, length);
    }
    const tailStart = this.size - this.#tailBytes;
    if (offset >= tailStart) {
      this.#tailJoined ??= Buffer.concat(this.#tail);
      return this.#tailJoined.subarray(offset - tailStart, offset - tailStart + length);
    }
    const header = this.#headers.get(offset);
    return header && length <= header.filled ? header.bytes.subarray(0, length) : undefined;
  }

  #joinHead(offset: number, length: number): Uint8Array {
    const head = Buffer.concat(this.#head);
    this.#head.splice(0, this.#head.length, head);
    return head.subarray(offset, offset + length);
  }

  #keepTail(chunk: Uint8Array): void {
    this.#tail.push(Uint8Array.from(chunk.subarray(Math.max(0, chunk.byteLength - this.#limits.tail))));
    this.#tailBytes += this.#tail[this.#tail.length - 1]!.byteLength;
    this.#tailJoined = undefined;
    while (this.#tailBytes - this.#tail[0]!.byteLength >= this.#limits.tail) {
      this.#tailBytes -= this.#tail.shift()!.byteLength;
    }
  }

  /** Completes headers whose 30 bytes ran past the previous chunk. */
  #fill(chunk: Uint8Array, base: number): void {
    this.#filling = this.#filling.filter((offset) => {
      const header = this.#headers.get(offset)!;
      const from = offset + header.filled - base;
      const part = chunk.subarray(from, from + LOCAL_HEADER - header.filled);
      header.bytes.set(part, header.filled);
      header.filled += part.byteLength;
      return header.filled < LOCAL_HEADER;
    });
  }
}
