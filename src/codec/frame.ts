/**
 * The binary frame: one batch (or one stored shard) of typed columns. Layout, all little-endian:
 *   [u32 frame length][u32 header length][header JSON, zero-padded to 8][payloads, each 8-aligned]
 * Part offsets in the header count from the first payload byte, so every column starts 8-aligned
 * relative to the frame and typed-array views over a received frame need no copy.
 */

import type { DType } from '../api/index.js';
import { InvalidError } from '../errors/index.js';
import { type TypedArray, typedView } from './dtypes.js';

export const FRAME_PREFIX = 8;
/** Largest frame the wire format can describe. */
export const MAX_FRAME_BYTES = 0xffff_fff8;

export interface FramePart {
  name: string;
  dtype: DType;
  shape: number[];
  /** Byte offset (from the payload start) and length of the values. */
  offset: number;
  length: number;
  /** utf8 columns: offset and length of the uint32 row offsets (rows + 1 entries). */
  offsets?: [offset: number, length: number];
}

export interface ErrorInfo {
  code: string;
  message: string;
  details: Record<string, unknown>;
}

export type FrameHeader =
  | { t: 'shard'; rows: number; columns: FramePart[] }
  | { t: 'batch'; batch: number; rows: number; columns: FramePart[] }
  | { t: 'end'; batches: number; rows: number }
  | { t: 'error'; error: ErrorInfo };

export type DataHeader = Extract<FrameHeader, { columns: FramePart[] }>;

/** A part to lay out: its size in bytes (and the size of its utf8 offsets). */
export interface PartSpec {
  name: string;
  dtype: DType;
  shape: number[];
  length: number;
  offsetsLength?: number;
}

export interface PlannedFrame {
  frame: Uint8Array;
  header: DataHeader;
  /** Per part, in order: where to write its values and (utf8) its offsets. */
  slots: Array<{ data: Uint8Array; offsets?: Uint8Array }>;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder();
export const align8 = (n: number): number => (n + 7) & ~7;

function prefix(frame: Uint8Array, length: number, headerBytes: number): void {
  const view = new DataView(frame.buffer, frame.byteOffset, 8);
  view.setUint32(0, length <= MAX_FRAME_BYTES ? length : 0, true);
  view.setUint32(4, headerBytes, true);
}

/** Where everything of a frame goes: its head (prefix, header, padding) and each part's payload offsets. */
export interface FrameLayout {
  header: DataHeader;
  /** The frame's first bytes: prefix, header JSON, zero padding up to the first payload. */
  head: Uint8Array;
  /** Payload bytes after the head (every part 8-aligned). */
  payload: number;
}

/** Lays out a frame for `parts`: offsets, header and the head bytes, allocated with room for the payload if asked. */
export function layoutFrame(
  head: { t: 'shard' } | { t: 'batch'; batch: number },
  rows: number,
  parts: PartSpec[],
  withPayload = false,
): FrameLayout & { frame: Uint8Array } {
  let at = 0;
  const columns: FramePart[] = parts.map((p) => {
    const part: FramePart = { name: p.name, dtype: p.dtype, shape: p.shape, offset: at, length: p.length };
    at = align8(at + p.length);
    if (p.offsetsLength !== undefined) {
      part.offsets = [at, p.offsetsLength];
      at = align8(at + p.offsetsLength);
    }
    return part;
  });
  const header = { ...head, rows, columns } as DataHeader;
  const text = JSON.stringify(header);
  if (!withPayload) {
    const head = headSpace(align8(FRAME_PREFIX + text.length * 3));
    const { written } = encoder.encodeInto(text, head.subarray(FRAME_PREFIX));
    const payloadAt = align8(FRAME_PREFIX + written);
    slabAt += payloadAt - head.length;
    const frame = head.subarray(0, payloadAt);
    prefix(frame, payloadAt + at, written);
    return { header, head: frame, payload: at, frame };
  }
  const json = encoder.encode(text);
  const payloadAt = align8(FRAME_PREFIX + json.length);
  // Not allocUnsafe: small sizes would come from the shared pool at an unaligned offset.
  const frame = new Uint8Array(payloadAt + at);
  frame.set(json, FRAME_PREFIX);
  prefix(frame, payloadAt + at, json.length);
  return { header, head: frame.subarray(0, payloadAt), payload: at, frame };
}

/**
 * Heads of segmented frames are carved from shared zero-filled 64 KiB slabs, never reused: one allocation per
 * slab instead of one per frame, and a slab lives only while a head on it still waits to be written.
 */
let slab = new Uint8Array(0);
let slabAt = 0;

function headSpace(n: number): Uint8Array {
  if (slabAt + n > slab.length) {
    slab = new Uint8Array(Math.max(64 * 1024, n));
    slabAt = 0;
  }
  slabAt += n;
  return slab.subarray(slabAt - n, slabAt);
}

/** Allocates a frame for `parts` and writes its prefix and header; the caller fills the slots. */
export function planFrame(
  head: { t: 'shard' } | { t: 'batch'; batch: number },
  rows: number,
  parts: PartSpec[],
): PlannedFrame {
  const { header, head: bytes, frame } = layoutFrame(head, rows, parts, true);
  const payloadAt = bytes.length;
  const slots = header.columns.map((c) => ({
    data: frame.subarray(payloadAt + c.offset, payloadAt + c.offset + c.length),
    ...(c.offsets
      ? { offsets: frame.subarray(payloadAt + c.offsets[0], payloadAt + c.offsets[0] + c.offsets[1]) }
      : {}),
  }));
  return { frame, header, slots };
}

/** A frame with no payload: `end` or `error`. */
export function controlFrame(header: Extract<FrameHeader, { t: 'end' | 'error' }>): Uint8Array {
  const json = encoder.encode(JSON.stringify(header));
  const frame = new Uint8Array(align8(FRAME_PREFIX + json.length));
  frame.set(json, FRAME_PREFIX);
  prefix(frame, frame.length, json.length);
  return frame;
}

/** The length a frame declares in its first 4 bytes (0 for an internal frame too big for the wire). */
export const frameLength = (bytes: Uint8Array, at = 0): number =>
  new DataView(bytes.buffer, bytes.byteOffset + at, 4).getUint32(0, true);

export interface FrameColumn {
  name: string;
  dtype: DType;
  shape: number[];
  /** Values as a typed view (utf8: the concatenated UTF-8 bytes). */
  data: TypedArray;
  /** utf8 only: row `i` is `data[offsets[i] .. offsets[i + 1])`. */
  offsets?: Uint32Array;
}

export interface ParsedFrame {
  header: FrameHeader;
  /** Column views over the frame's bytes, in header order (empty for control frames). */
  columns: FrameColumn[];
}

/** Decodes one whole frame; copies it first only if it does not start 8-aligned in its buffer. */
export function parseFrame(input: Uint8Array): ParsedFrame {
  const bytes = input.byteOffset % 8 === 0 ? input : input.slice();
  if (bytes.length < FRAME_PREFIX) throw bad('frame shorter than its 8-byte prefix');
  const headerBytes = new DataView(bytes.buffer, bytes.byteOffset + 4, 4).getUint32(0, true);
  if (FRAME_PREFIX + headerBytes > bytes.length) throw bad('frame header runs past the frame');
  let header: FrameHeader;
  try {
    header = JSON.parse(
      decoder.decode(bytes.subarray(FRAME_PREFIX, FRAME_PREFIX + headerBytes)),
    ) as FrameHeader;
  } catch (cause) {
    throw bad('frame header is not JSON', cause);
  }
  if (header.t !== 'shard' && header.t !== 'batch') return { header, columns: [] };
  const payloadAt = align8(FRAME_PREFIX + headerBytes);
  const columns = header.columns.map((c): FrameColumn => {
    if (payloadAt + c.offset + c.length > bytes.length) throw bad(`column ${c.name} runs past the frame`);
    const data = typedView(c.dtype, bytes, payloadAt + c.offset, c.length);
    if (!c.offsets) return { name: c.name, dtype: c.dtype, shape: c.shape, data };
    const offsets = typedView('uint32', bytes, payloadAt + c.offsets[0], c.offsets[1]) as Uint32Array;
    return { name: c.name, dtype: c.dtype, shape: c.shape, data, offsets };
  });
  return { header, columns };
}

function bad(message: string, cause?: unknown): InvalidError {
  return new InvalidError(message, { details: { field: 'frame' }, cause });
}
