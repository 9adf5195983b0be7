/** Tensor helpers: allocation by dtype, element counts, and the concat/split along dim 0 batching needs. */
import type { DType, Tensor, TensorArray } from './types.js';

export function allocate(dtype: DType, length: number): TensorArray {
  switch (dtype) {
    case 'float32':
      return new Float32Array(length);
    case 'float64':
      return new Float64Array(length);
    case 'int32':
      return new Int32Array(length);
    case 'int64':
      return new BigInt64Array(length);
    case 'int8':
      return new Int8Array(length);
    case 'uint8':
    case 'bool':
      return new Uint8Array(length);
    default:
      return assertNever(dtype);
  }
}

export function assertNever(x: never): never {
  throw new Error(`unexpected value ${String(x)}`);
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
