/** Protobuf wire-format writers for tests and benches that build ONNX files by hand (no protobuf library). */

export function varint(value: number | bigint): Buffer {
  let v = BigInt.asUintN(64, BigInt(value));
  const out: number[] = [];
  do {
    const b = Number(v & 0x7fn);
    v >>= 7n;
    out.push(v > 0n ? b | 0x80 : b);
  } while (v > 0n);
  return Buffer.from(out);
}

const key = (field: number, wire: number) => varint((field << 3) | wire);

/** A varint field. */
export const pbVarint = (field: number, v: number | bigint): Buffer =>
  Buffer.concat([key(field, 0), varint(v)]);

/** A length-delimited field (bytes, string or embedded message). */
export const pbBytes = (field: number, bytes: Buffer | string): Buffer => {
  const b = typeof bytes === 'string' ? Buffer.from(bytes) : bytes;
  return Buffer.concat([key(field, 2), varint(b.length), b]);
};

/** A fixed32 float field. */
export const pbFixed32 = (field: number, v: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeFloatLE(v);
  return Buffer.concat([key(field, 5), b]);
};
