/** Element types of stored tensors and their little-endian decoding into float64, the precision diffs use. */
import { InvalidError } from '../../errors/index.js';

export const DTYPE_SIZES = {
  float64: 8,
  float32: 4,
  float16: 2,
  bfloat16: 2,
  int64: 8,
  uint64: 8,
  int32: 4,
  uint32: 4,
  int16: 2,
  uint16: 2,
  int8: 1,
  uint8: 1,
  bool: 1,
} as const;
export type DType = keyof typeof DTYPE_SIZES;

export const isDType = (value: unknown): value is DType =>
  typeof value === 'string' && Object.hasOwn(DTYPE_SIZES, value);

/** `table[key]` for a key the table itself holds: a dtype named `constructor` or `__proto__` finds nothing. */
export const lookup = <T>(table: Readonly<Record<string, T>>, key: unknown): T | undefined =>
  typeof key === 'string' && Object.hasOwn(table, key) ? table[key] : undefined;

/** Element count of a shape; a scalar (`[]`) has one element. */
export function elementCount(shape: readonly number[], field = 'shape'): number {
  let n = 1;
  for (const d of shape) {
    if (!Number.isSafeInteger(d) || d < 0) {
      throw new InvalidError(`${field}: dimensions must be non-negative integers`, {
        details: { field, value: shape },
      });
    }
    n *= d;
  }
  if (!Number.isSafeInteger(n)) throw new InvalidError(`${field}: too many elements`, { details: { field } });
  return n;
}

const F16_EXP = 0x7c00;

function half(bits: number): number {
  const sign = bits & 0x8000 ? -1 : 1;
  const exp = (bits & F16_EXP) >> 10;
  const frac = bits & 0x03ff;
  if (exp === 0) return sign * frac * 2 ** -24;
  if (exp === 0x1f) return frac ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + frac / 1024) * 2 ** (exp - 15);
}

/** Decodes `count` little-endian elements of `dtype` from `bytes` (which must hold exactly that many). */
export function decode(dtype: DType, bytes: Uint8Array, count: number): Float64Array {
  if (bytes.byteLength !== count * DTYPE_SIZES[dtype]) {
    throw new InvalidError(`expected ${count} ${dtype} elements, got ${bytes.byteLength} bytes`, {
      details: { dtype, count, bytes: bytes.byteLength },
    });
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const out = new Float64Array(count);
  switch (dtype) {
    case 'float64':
      for (let i = 0; i < count; i++) out[i] = view.getFloat64(i * 8, true);
      break;
    case 'float32':
      for (let i = 0; i < count; i++) out[i] = view.getFloat32(i * 4, true);
      break;
    case 'float16':
      for (let i = 0; i < count; i++) out[i] = half(view.getUint16(i * 2, true));
      break;
    case 'bfloat16': {
      // bfloat16 is the top half of a float32.
      const f = new DataView(new ArrayBuffer(4));
      for (let i = 0; i < count; i++) {
        f.setUint32(0, view.getUint16(i * 2, true) << 16);
        out[i] = f.getFloat32(0);
      }
      break;
    }
    case 'int64':
      for (let i = 0; i < count; i++) out[i] = Number(view.getBigInt64(i * 8, true));
      break;
    case 'uint64':
      for (let i = 0; i < count; i++) out[i] = Number(view.getBigUint64(i * 8, true));
      break;
    case 'int32':
      for (let i = 0; i < count; i++) out[i] = view.getInt32(i * 4, true);
      break;
    case 'uint32':
      for (let i = 0; i < count; i++) out[i] = view.getUint32(i * 4, true);
      break;
    case 'int16':
      for (let i = 0; i < count; i++) out[i] = view.getInt16(i * 2, true);
      break;
    case 'uint16':
      for (let i = 0; i < count; i++) out[i] = view.getUint16(i * 2, true);
      break;
    case 'int8':
      for (let i = 0; i < count; i++) out[i] = view.getInt8(i);
      break;
    case 'uint8':
      for (let i = 0; i < count; i++) out[i] = view.getUint8(i);
      break;
    case 'bool':
      for (let i = 0; i < count; i++) out[i] = view.getUint8(i) ? 1 : 0;
      break;
    default: {
      const never: never = dtype;
      throw new InvalidError(`unknown dtype ${String(never)}`);
    }
  }
  return out;
}

/** Decodes a float16 bit pattern (ONNX keeps float16 values as uint16 bits in int32_data). */
export const halfToNumber = half;
