// In-place byte order reversal for big-endian payloads (IDX, `>` NumPy dtypes).

/** Reverses each `size`-byte element of `bytes` in place (size 1 is a no-op). */
export function swapBytes(bytes: Uint8Array, size: number): void {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (size === 2) buf.swap16();
  else if (size === 4) buf.swap32();
  else if (size === 8) buf.swap64();
}
