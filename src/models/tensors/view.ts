/** Strided views (a PyTorch tensor over its storage, in elements): how far one reaches, and its values in row-major order. */

export interface View {
  /** Elements to step per index of each dimension; torch keeps them when it saves a transposed or sliced tensor. */
  strides: number[];
  /** The storage element of index [0, 0, …]. */
  offset: number;
}

/** One past the last storage element the view touches; a view without elements touches none. Exact for any input. */
export function viewEnd(shape: readonly number[], view: View): bigint {
  if (shape.some((d) => d === 0)) return BigInt(view.offset);
  let last = BigInt(view.offset);
  for (const [i, d] of shape.entries()) last += BigInt(d - 1) * BigInt(view.strides[i]!);
  return last + 1n;
}

const isRowMajor = (shape: readonly number[], strides: readonly number[]): boolean => {
  let step = 1;
  for (let i = shape.length - 1; i >= 0; i--) {
    if (shape[i] !== 1 && strides[i] !== step) return false;
    step *= shape[i]!;
  }
  return true;
};

/** The view's values in row-major order, from `stored`: the storage's elements starting at the view's offset. */
export function gather(
  stored: Float64Array,
  shape: readonly number[],
  strides: readonly number[],
): Float64Array {
  let count = 1;
  for (const d of shape) count *= d;
  if (isRowMajor(shape, strides)) return stored.length === count ? stored : stored.slice(0, count);
  const out = new Float64Array(count);
  const index = new Array<number>(shape.length).fill(0);
  let at = 0;
  for (let i = 0; i < count; i++) {
    out[i] = stored[at]!;
    // Odometer: bump the last dimension, carrying into earlier ones.
    for (let d = shape.length - 1; d >= 0; d--) {
      if (++index[d]! < shape[d]!) {
        at += strides[d]!;
        break;
      }
      at -= (shape[d]! - 1) * strides[d]!;
      index[d] = 0;
    }
  }
  return out;
}
