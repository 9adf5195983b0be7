// Byte-stream helpers shared by the format tests.

import { createReadStream } from 'node:fs';
import type { ImportFile } from '../columns.js';

/** Yields `bytes` in pieces of `size` bytes, to exercise chunk boundaries. */
export async function* chunked(bytes: Uint8Array | string, size = 7): AsyncGenerator<Uint8Array> {
  const b = typeof bytes === 'string' ? new TextEncoder().encode(bytes) : bytes;
  for (let i = 0; i < b.length; i += size) yield b.subarray(i, Math.min(b.length, i + size));
}

export const memFile = (name: string, bytes: Uint8Array | string, size = 7): ImportFile => ({
  name,
  body: chunked(bytes, size),
});

export const diskFile = (path: string): ImportFile => ({
  name: path.slice(path.lastIndexOf('/') + 1),
  body: createReadStream(path) as AsyncIterable<Uint8Array>,
});

export async function collect(stream: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Uint8Array[] = [];
  for await (const p of stream) parts.push(p);
  return Buffer.concat(parts);
}
