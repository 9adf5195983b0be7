/** A tensor located in a generation's files: where its bytes are and how to turn them into numbers. */
import { InvalidError } from '../../errors/index.js';
import { DTYPE_SIZES, type DType, decode, elementCount } from './dtype.js';
import { gather, type View, viewEnd } from './view.js';

/** Bytes `[start, end)` of one file. A tensor may span several (tfjs weights cross shard boundaries). */
export interface Segment {
  file: string;
  start: number;
  end: number;
}

export interface TensorEntry {
  name: string;
  /** The stored element type. */
  dtype: DType;
  shape: number[];
  segments: Segment[];
  /** tfjs quantization: value = stored × scale + min. */
  affine?: { scale: number; min: number };
  /** Values already decoded by the parser (ONNX varint-packed fields). */
  inline?: Float64Array;
  /** PyTorch: the segments hold the whole storage and the tensor is this strided view of it. */
  view?: View;
}

/** A file's bytes by name, for reading tensor values. */
export type FileBytes = ReadonlyMap<string, Uint8Array>;

export const weightsError = (file: string, message: string, extra: Record<string, unknown> = {}) =>
  new InvalidError(`weights: ${file}: ${message}`, { details: { field: 'weights', file, ...extra } });

/** Checks that every segment lies inside its file and the byte count matches shape × dtype. */
export function checkEntry(entry: TensorEntry, sizes: ReadonlyMap<string, number>): void {
  const count = elementCount(entry.shape, `tensor ${entry.name} shape`);
  if (entry.inline) {
    if (entry.inline.length !== count) {
      throw weightsError(
        entry.segments[0]?.file ?? '?',
        `tensor ${entry.name}: ${entry.inline.length} values for shape [${entry.shape}]`,
        { tensor: entry.name },
      );
    }
    return;
  }
  let bytes = 0;
  for (const s of entry.segments) {
    const size = sizes.get(s.file);
    if (size === undefined)
      throw weightsError(s.file, `missing (needed by tensor ${entry.name})`, { tensor: entry.name });
    if (
      !(
        Number.isSafeInteger(s.start) &&
        Number.isSafeInteger(s.end) &&
        0 <= s.start &&
        s.start <= s.end &&
        s.end <= size
      )
    ) {
      throw weightsError(
        s.file,
        `tensor ${entry.name}: bytes [${s.start}, ${s.end}) outside the file (${size} bytes)`,
        { tensor: entry.name },
      );
    }
    bytes += s.end - s.start;
  }
  if (entry.view) {
    checkView(entry, entry.view, bytes);
    return;
  }
  if (bytes !== count * DTYPE_SIZES[entry.dtype]) {
    throw weightsError(
      entry.segments[0]?.file ?? '?',
      `tensor ${entry.name}: ${bytes} bytes for ${count} ${entry.dtype} elements`,
      { tensor: entry.name },
    );
  }
}

/** A view must stay inside its storage: every index it can form lands on a stored element. */
function checkView(entry: TensorEntry, view: View, bytes: number): void {
  const file = entry.segments[0]?.file ?? '?';
  const stored = bytes / DTYPE_SIZES[entry.dtype];
  const fail = (message: string) =>
    weightsError(file, `tensor ${entry.name}: ${message}`, { tensor: entry.name });
  if (!Number.isInteger(stored)) throw fail(`storage of ${bytes} bytes is not whole ${entry.dtype} elements`);
  const end = viewEnd(entry.shape, view);
  if (end > BigInt(stored)) {
    throw fail(
      `shape [${entry.shape}] with strides [${view.strides}] from element ${view.offset} reaches element ${end - 1n}; its storage holds ${stored}`,
    );
  }
}

/** The tensor's values in float64. */
export function tensorValues(entry: TensorEntry, files: FileBytes): Float64Array {
  const count = elementCount(entry.shape);
  if (entry.inline) return entry.inline;
  const parts = entry.segments.map((s) => {
    const bytes = files.get(s.file);
    if (!bytes) throw weightsError(s.file, `missing (needed by tensor ${entry.name})`);
    return bytes.subarray(s.start, s.end);
  });
  const bytes = parts.length === 1 ? parts[0]! : Buffer.concat(parts);
  if (entry.view) {
    const size = DTYPE_SIZES[entry.dtype];
    const [from, to] = [entry.view.offset, Number(viewEnd(entry.shape, entry.view))];
    const stored = decode(entry.dtype, bytes.subarray(from * size, to * size), to - from);
    return gather(stored, entry.shape, entry.view.strides);
  }
  const values = decode(entry.dtype, bytes, count);
  if (entry.affine) {
    const { scale, min } = entry.affine;
    for (let i = 0; i < values.length; i++) values[i] = values[i]! * scale + min;
  }
  return values;
}
