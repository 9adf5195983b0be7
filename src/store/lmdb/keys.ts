/** Binary LMDB key layouts whose byte order is the order the contract needs (scores, cursors, members). */

const SEP = 0x00; // names never contain NUL, so `name + NUL` bounds exactly one index or log

/** `name NUL` — every key of one index/log starts with it; `name SOH` is just past them all. */
export const namePrefix = (name: string): Buffer => Buffer.concat([Buffer.from(name), Buffer.of(SEP)]);
export const nameEnd = (name: string): Buffer => Buffer.concat([Buffer.from(name), Buffer.of(SEP + 1)]);

/** Doubles as 8 bytes whose unsigned byte order is numeric order (sign bit flipped, negatives inverted). */
export function writeScore(score: number, target: Buffer, offset: number): void {
  target.writeDoubleBE(score === 0 ? 0 : score, offset);
  if (target[offset]! & 0x80) {
    for (let i = offset; i < offset + 8; i++) target[i] = ~target[i]! & 0xff;
  } else {
    target[offset] = target[offset]! | 0x80;
  }
}

export function readScore(source: Uint8Array, offset: number): number {
  const bytes = Buffer.from(source.subarray(offset, offset + 8));
  if (bytes[0]! & 0x80) bytes[0] = bytes[0]! & 0x7f;
  else for (let i = 0; i < 8; i++) bytes[i] = ~bytes[i]! & 0xff;
  return bytes.readDoubleBE(0);
}

/** Index entry key: `name NUL score(8) member` — score order, ties by member bytes. */
export function indexKey(name: string, score: number, member: string): Buffer {
  const prefix = namePrefix(name);
  const key = Buffer.allocUnsafe(prefix.length + 8 + Buffer.byteLength(member));
  prefix.copy(key, 0);
  writeScore(score, key, prefix.length);
  key.write(member, prefix.length + 8);
  return key;
}

/** Lower bound (inclusive) of scores ≥ score in an index. */
export function indexLow(name: string, score: number): Buffer {
  const prefix = namePrefix(name);
  const key = Buffer.allocUnsafe(prefix.length + 8);
  prefix.copy(key, 0);
  writeScore(score, key, prefix.length);
  return key;
}

/** Upper bound (exclusive) past every member with this score: UTF-8 never contains a 0xff byte. */
export const indexHigh = (name: string, score: number): Buffer =>
  Buffer.concat([indexLow(name, score), Buffer.of(0xff)]);

/** Member lookup key: `name NUL member`. */
export const memberKey = (name: string, member: string): Buffer =>
  Buffer.concat([namePrefix(name), Buffer.from(member)]);

export function decodeIndexKey(name: string, key: Uint8Array): { score: number; member: string } {
  const at = Buffer.byteLength(name) + 1;
  return { score: readScore(key, at), member: Buffer.from(key.subarray(at + 8)).toString() };
}

/** Log entry key: `name NUL cursor(8, big-endian)`. */
export function logKey(name: string, cursor: number): Buffer {
  const prefix = namePrefix(name);
  const key = Buffer.allocUnsafe(prefix.length + 8);
  prefix.copy(key, 0);
  key.writeBigUInt64BE(BigInt(cursor), prefix.length);
  return key;
}

export const readCursor = (key: Uint8Array): number =>
  Number(Buffer.from(key.subarray(key.length - 8)).readBigUInt64BE(0));

/** Pending upload chunk key: `uploadId(16) index(4)`. */
export function pendingKey(uploadId: string, index: number): Buffer {
  const key = Buffer.alloc(20);
  Buffer.from(uploadId.replaceAll('-', ''), 'hex').copy(key, 0);
  key.writeUInt32BE(index, 16);
  return key;
}

export const uploadLow = (uploadId: string): Buffer => pendingKey(uploadId, 0);
export const uploadHigh = (uploadId: string): Buffer =>
  Buffer.concat([uploadLow(uploadId).subarray(0, 16), Buffer.alloc(5, 0xff)]);
