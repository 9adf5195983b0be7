/** Tensor helpers: allocation by dtype, element counts, and the concat/split along dim 0 batching needs. */
import type { DType, Tensor, TensorArray } from './types.js';

const ARRAYS = {
  float32: Float32Array,
  float64: Float64Array,
  int32: Int32Array,
  int64: BigInt64Array,
  int8: Int8Array,
  uint8: Uint8Array,
  bool: Uint8Array,
} as const satisfies Record<DType, unknown>;

export function allocate(dtype: DType, length: number): TensorArray {
  return new ARRAYS[dtype](length);
}

/** Bytes per element of a dtype. */
export const elementBytes = (dtype: DType): number => ARRAYS[dtype].BYTES_PER_ELEMENT;

/**
 * The elements held in raw little-endian bytes (a whole number of them): a view over the bytes when their offset
 * suits the element size, so a request body's tensor is not copied before its batch is; else a copy.
 */
export function fromBytes(dtype: DType, bytes: Uint8Array): TensorArray {
  const size = elementBytes(dtype);
  if (bytes.byteOffset % size === 0) {
    return new ARRAYS[dtype](bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength / size);
  }
  const data = allocate(dtype, bytes.byteLength / size);
  new Uint8Array(data.buffer).set(bytes);
  return data;
}

export const elements = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Stacks tensors of equal non-batch shape along dim 0. */
export function concat(parts: readonly Tensor[]): Tensor {
  const first = parts[0]!;
  if (parts.length === 1) return first;
  const rows = parts.reduce((n, t) => n + (t.shape[0] ?? 1), 0);
  const data = allocate(
    first.dtype,
    parts.reduce((n, t) => n + t.data.length, 0),
  );
  let at = 0;
  for (const t of parts) {
    (data as Float32Array).set(t.data as Float32Array, at);
    at += t.data.length;
  }
  return { dtype: first.dtype, shape: [rows, ...first.shape.slice(1)], data };
}

/** Rows [start, start + count) of a batched tensor (a view, no copy). */
export function sliceRows(t: Tensor, start: number, count: number): Tensor {
  const rows = t.shape[0] ?? 1;
  const per = rows === 0 ? 0 : t.data.length / rows;
  return {
    dtype: t.dtype,
    shape: [count, ...t.shape.slice(1)],
    data: t.data.subarray(start * per, (start + count) * per) as TensorArray,
  };
}

/** Plain numbers for JSON (int64 as numbers; they fit for class ids and counts; bool as true/false). */
export function toNumbers(t: Tensor): number[] | boolean[] {
  if (t.dtype === 'bool') return Array.from(t.data as Uint8Array, (v) => v !== 0);
  if (t.data instanceof BigInt64Array) return Array.from(t.data, Number);
  // A plain loop: Array.from goes through the iterator protocol, several times slower on hot small outputs.
  const out = new Array<number>(t.data.length);
  for (let i = 0; i < out.length; i++) out[i] = (t.data as Float32Array)[i]!;
  return out;
}

/** A flat list reshaped into nested arrays of `shape`. */
export function nest(flat: readonly unknown[], shape: readonly number[]): unknown {
  if (shape.length === 0) return flat[0];
  if (shape.length === 1) return flat.slice(0, shape[0]);
  const inner = shape.slice(1);
  const size = elements(inner);
  const out: unknown[] = [];
  for (let i = 0; i < shape[0]!; i++) out.push(nest(flat.slice(i * size, (i + 1) * size), inner));
  return out;
}
