/**
 * The weights blob of a multi-file generation (tfjs shards, ONNX external data, raw index + data): the files back
 * to back, then a JSON index `{"v":1,"files":[{name,size,sha256,offset}]}`, its length as a uint32 LE, and the
 * 8-byte magic `SWLBNDL1`. The index trails so uploads stream straight through; the generation record keeps a
 * copy, and the blob alone is still enough to recover the files. A one-file generation's blob is the file itself.
 */
import { CorruptError } from '../errors/index.js';
import type { GenerationFile } from './types.js';

export const BUNDLE_MAGIC = 'SWLBNDL1';
const TAIL = 4 + BUNDLE_MAGIC.length;

export function bundleTrailer(files: readonly GenerationFile[]): Buffer {
  const index = Buffer.from(JSON.stringify({ v: 1, files }), 'utf8');
  const tail = Buffer.alloc(TAIL);
  tail.writeUInt32LE(index.length, 0);
  tail.write(BUNDLE_MAGIC, 4, 'latin1');
  return Buffer.concat([index, tail]);
}

/** The file table of a bundle, from the whole blob (or at least its end, with `blobSize` its full size). */
export function readBundleIndex(end: Uint8Array, blobSize = end.byteLength): GenerationFile[] {
  const bytes = Buffer.from(end.buffer, end.byteOffset, end.byteLength);
  if (bytes.length < TAIL || bytes.toString('latin1', bytes.length - BUNDLE_MAGIC.length) !== BUNDLE_MAGIC) {
    throw new CorruptError('not a weights bundle: the magic is missing');
  }
  const length = bytes.readUInt32LE(bytes.length - TAIL);
  if (length + TAIL > bytes.length) throw new CorruptError('weights bundle index runs past the bytes given');
  const { files } = JSON.parse(bytes.toString('utf8', bytes.length - TAIL - length, bytes.length - TAIL)) as {
    files: GenerationFile[];
  };
  for (const f of files) {
    if (f.offset + f.size > blobSize)
      throw new CorruptError(`weights bundle file ${f.name} runs past the blob`);
  }
  return files;
}
