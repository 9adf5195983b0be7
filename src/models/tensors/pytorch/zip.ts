/**
 * Just enough of ZIP to find the entries of a `torch.save` archive: the end records (zip64 too, which torch
 * always writes), the central directory, and each entry's local header to learn where its stored bytes start.
 */
import { weightsError } from '../entry.js';

/** A zip file's bytes, perhaps only in part: an upload keeps windows of it, and `at` answers undefined elsewhere. */
export interface ZipBytes {
  readonly size: number;
  at(offset: number, length: number): Uint8Array | undefined;
}

export const wholeFile = (bytes: Uint8Array): ZipBytes => ({
  size: bytes.byteLength,
  at: (offset, length) =>
    offset >= 0 && offset + length <= bytes.byteLength ? bytes.subarray(offset, offset + length) : undefined,
});

export interface ZipEntry {
  name: string;
  /** Where the entry's local header starts. */
  headerOffset: number;
  size: number;
}

const SIG = {
  local: 0x04034b50,
  central: 0x02014b50,
  end: 0x06054b50,
  end64: 0x06064b50,
  locator: 0x07064b50,
};
const END_BYTES = 22;
const MAX_COMMENT = 0xffff;
/** torch writes one entry per tensor storage, so a state dict's directory is small; this bounds what we keep. */
export const MAX_CENTRAL_DIRECTORY = 8 * 1024 * 1024;

class Reader {
  readonly #view: DataView;
  constructor(readonly bytes: Uint8Array) {
    this.#view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }
  u16 = (at: number) => this.#view.getUint16(at, true);
  u32 = (at: number) => this.#view.getUint32(at, true);
  u64 = (at: number) => Number(this.#view.getBigUint64(at, true));
}

export function zipError(file: string, message: string, extra: Record<string, unknown> = {}) {
  return weightsError(file, `not a valid torch.save zip: ${message}`, extra);
}

function need(file: string, zip: ZipBytes, offset: number, length: number, what: string): Reader {
  const bytes = zip.at(offset, length);
  if (!bytes) throw zipError(file, `${what} at offset ${offset} is past the end or not readable`, { offset });
  return new Reader(bytes);
}

/** The central directory's place and entry count, from the end record (or its zip64 twin). */
function directory(file: string, zip: ZipBytes): { offset: number; size: number; count: number } {
  if (zip.size < END_BYTES) throw zipError(file, 'the file is too short for a zip end record');
  // torch writes no comment, so the end record is usually the last 22 bytes; else it may be up to 64 KiB earlier.
  let span = END_BYTES;
  let tail = zip.at(zip.size - span, span);
  if (!tail) throw zipError(file, 'the zip end record is not readable');
  if (new Reader(tail).u32(0) !== SIG.end) {
    span = Math.min(zip.size, END_BYTES + MAX_COMMENT);
    tail = zip.at(zip.size - span, span) ?? tail;
    span = tail.byteLength;
  }
  const r = new Reader(tail);
  for (let i = span - END_BYTES; i >= 0; i--) {
    // A match must also account for exactly the rest of the file, so a signature inside the comment is skipped.
    if (r.u32(i) !== SIG.end || i + END_BYTES + r.u16(i + 20) !== span) continue;
    let [count, size, offset] = [r.u16(i + 10), r.u32(i + 12), r.u32(i + 16)];
    if (count === 0xffff || size === 0xffffffff || offset === 0xffffffff) {
      const endAt = zip.size - span + i;
      const locator = need(file, zip, endAt - 20, 20, 'zip64 end locator');
      if (locator.u32(0) !== SIG.locator)
        throw zipError(file, 'zip64 end locator missing', { offset: endAt - 20 });
      const at64 = locator.u64(8);
      const end64 = need(file, zip, at64, 56, 'zip64 end record');
      if (end64.u32(0) !== SIG.end64) throw zipError(file, 'zip64 end record missing', { offset: at64 });
      [count, size, offset] = [end64.u64(32), end64.u64(40), end64.u64(48)];
    }
    return { offset, size, count };
  }
  throw zipError(
    file,
    'no zip end record: truncated, or not a zip (torch.save writes zips since torch 1.6, unless told _use_new_zipfile_serialization=False)',
  );
}

/** Sizes and offsets saturated at 0xffffffff are in the zip64 extra field (id 1), in this order. */
function zip64Fields(r: Reader, start: number, end: number, saturated: ('size' | 'offset')[]) {
  const out: Partial<Record<'size' | 'offset', number>> = {};
  for (let at = start; at + 4 <= end; at += 4 + r.u16(at + 2)) {
    if (r.u16(at) !== 1) continue;
    let field = at + 4;
    for (const name of saturated) {
      if (field + 8 > end) break;
      out[name] = r.u64(field);
      field += 8;
    }
  }
  return out;
}

/** Every entry, from the central directory; compressed or encrypted entries are refused (torch stores them). */
export function zipEntries(file: string, zip: ZipBytes): ZipEntry[] {
  const dir = directory(file, zip);
  if (dir.size > MAX_CENTRAL_DIRECTORY) {
    throw zipError(file, `central directory of ${dir.size} bytes is over ${MAX_CENTRAL_DIRECTORY}`);
  }
  if (dir.offset + dir.size > zip.size)
    throw zipError(file, 'central directory runs past the end of the file');
  const r = need(file, zip, dir.offset, dir.size, 'central directory');
  const entries: ZipEntry[] = [];
  let at = 0;
  while (entries.length < dir.count) {
    if (at + 46 > dir.size || r.u32(at) !== SIG.central) {
      throw zipError(file, `central directory entry ${entries.length} is broken`, {
        offset: dir.offset + at,
      });
    }
    const [nameLen, extraLen, commentLen] = [r.u16(at + 28), r.u16(at + 30), r.u16(at + 32)];
    const next = at + 46 + nameLen + extraLen + commentLen;
    if (next > dir.size) throw zipError(file, 'central directory is truncated', { offset: dir.offset + at });
    const name = Buffer.from(r.bytes.subarray(at + 46, at + 46 + nameLen)).toString('utf8');
    const [flags, method, compressed] = [r.u16(at + 8), r.u16(at + 10), r.u32(at + 20)];
    let [size, offset] = [r.u32(at + 24), r.u32(at + 42)];
    const saturated = (
      [
        ['size', size],
        ['offset', offset],
      ] as const
    )
      .filter(([, v]) => v === 0xffffffff)
      .map(([k]) => k);
    if (saturated.length > 0) {
      const wide = zip64Fields(r, at + 46 + nameLen, at + 46 + nameLen + extraLen, saturated);
      [size, offset] = [wide.size ?? size, wide.offset ?? offset];
    }
    if (flags & 1) throw zipError(file, `entry ${name} is encrypted`, { entry: name });
    if (method !== 0) {
      throw zipError(
        file,
        `entry ${name} is compressed (method ${method}); torch.save stores entries uncompressed`,
        {
          entry: name,
        },
      );
    }
    if (compressed !== size && compressed !== 0xffffffff) {
      throw zipError(file, `entry ${name}: stored sizes differ (${compressed} vs ${size})`, { entry: name });
    }
    if (entries.some((e) => e.name === name))
      throw zipError(file, `entry ${name} appears twice`, { entry: name });
    entries.push({ name, headerOffset: offset, size });
    at = next;
  }
  return entries;
}

/** Bytes `[start, end)` of an entry's data, located through its local header (whose name and extra lengths may differ from the directory's). */
export function entryData(file: string, zip: ZipBytes, entry: ZipEntry): { start: number; end: number } {
  const r = need(file, zip, entry.headerOffset, 30, `local header of ${entry.name}`);
  if (r.u32(0) !== SIG.local) {
    throw zipError(file, `no local header for ${entry.name}`, {
      entry: entry.name,
      offset: entry.headerOffset,
    });
  }
  const start = entry.headerOffset + 30 + r.u16(26) + r.u16(28);
  const end = start + entry.size;
  if (end > zip.size) {
    throw zipError(file, `entry ${entry.name} runs past the end of the file (truncated?)`, {
      entry: entry.name,
      offset: entry.headerOffset,
    });
  }
  return { start, end };
}
