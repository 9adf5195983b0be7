/** Typed arrays by dtype: views over received bytes without copying, element sizes, allocation. */
import type { DType, NumericDType } from '../api/index.js';

export type TypedArray =
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | BigInt64Array
  | BigUint64Array
  | Float32Array
  | Float64Array;

type ArrayCtor =
  | Uint8ArrayConstructor
  | Int8ArrayConstructor
  | Uint16ArrayConstructor
  | Int16ArrayConstructor
  | Uint32ArrayConstructor
  | Int32ArrayConstructor
  | BigInt64ArrayConstructor
  | BigUint64ArrayConstructor
  | Float32ArrayConstructor
  | Float64ArrayConstructor;

const ARRAY_CTOR: Record<NumericDType, ArrayCtor> = {
  uint8: Uint8Array,
  int8: Int8Array,
  uint16: Uint16Array,
  int16: Int16Array,
  uint32: Uint32Array,
  int32: Int32Array,
  int64: BigInt64Array,
  uint64: BigUint64Array,
  float32: Float32Array,
  float64: Float64Array,
  bool: Uint8Array,
};

export const itemSize = (dtype: NumericDType): number => ARRAY_CTOR[dtype].BYTES_PER_ELEMENT;

/** A typed view of `length` bytes of `bytes` from `at` (no copy; `at` must suit the dtype's alignment). */
export function typedView(dtype: DType, bytes: Uint8Array, at: number, length: number): TypedArray {
  const ctor = dtype === 'utf8' ? Uint8Array : ARRAY_CTOR[dtype];
  return new ctor(bytes.buffer as ArrayBuffer, bytes.byteOffset + at, length / ctor.BYTES_PER_ELEMENT);
}

/** A typed view over `bytes` (which must be aligned for the dtype); no copy. */
export function viewAs(dtype: NumericDType, bytes: Uint8Array): TypedArray {
  const ctor = ARRAY_CTOR[dtype];
  return new ctor(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength / ctor.BYTES_PER_ELEMENT);
}

/** The bytes of a typed array, as a view (no copy). */
export const bytesOf = (a: TypedArray): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
