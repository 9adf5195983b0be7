// Fortran (column-major) .npy payloads to C (row-major) order, as NumPy reads them back.

/** Same-width words to move an element of `size` bytes as `words` units (8-byte elements as two uint32). */
function wordsOf(
  bytes: Uint8Array,
  size: number,
): { view: Uint8Array | Uint16Array | Uint32Array; words: number } {
  const { buffer, byteOffset, byteLength } = bytes;
  if (size === 1 || byteOffset % size !== 0) return { view: bytes, words: size };
  if (size === 2) return { view: new Uint16Array(buffer, byteOffset, byteLength / 2), words: 1 };
  return { view: new Uint32Array(buffer, byteOffset, byteLength / 4), words: size / 4 };
}

/**
 * Returns the elements of `payload` (shape `shape`, column-major, `size` bytes each) in row-major order, in a
 * new buffer: the last axis is the inner loop, reading the input at its Fortran stride.
 */
export function fortranToC(payload: Uint8Array, shape: number[], size: number): Uint8Array {
  if (shape.length < 2) return payload;
  const out = new Uint8Array(payload.length);
  if (out.length === 0) return out;
  const src = wordsOf(payload, size);
  const dst = wordsOf(out, size);
  const w = src.words;
  const strides: number[] = [];
  let stride = 1;
  for (const d of shape) {
    strides.push(stride);
    stride *= d;
  }
  const last = shape.length - 1;
  const inner = shape[last]!;
  const step = strides[last]! * w;
  const index = new Array<number>(last).fill(0);
  let c = 0;
  for (;;) {
    let base = 0;
    for (let k = 0; k < last; k++) base += index[k]! * strides[k]!;
    base *= w;
    for (let j = 0; j < inner; j++, base += step)
      for (let u = 0; u < w; u++) dst.view[c++] = src.view[base + u]!;
    let k = last - 1;
    while (k >= 0 && ++index[k]! === shape[k]) index[k--] = 0;
    if (k < 0) return out;
  }
}
