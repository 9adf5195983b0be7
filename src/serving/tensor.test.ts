// Tensor helpers: typed arrays from raw little-endian bytes (viewed when aligned, copied when not), concat, slices.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { concat, fromBytes, sliceRows } from './tensor.js';

/** `values` as little-endian bytes placed `offset` bytes into a larger buffer. */
function bytesAt(values: Float32Array | Float64Array | BigInt64Array, offset: number): Uint8Array {
  const raw = new Uint8Array(values.buffer, values.byteOffset, values.byteLength);
  const host = new Uint8Array(offset + raw.length + 8);
  host.set(raw, offset);
  return host.subarray(offset, offset + raw.length);
}

describe('fromBytes', () => {
  it('views aligned bytes without copying them', () => {
    const bytes = bytesAt(Float32Array.of(1.5, -2, 3.25), 8);
    const data = fromBytes('float32', bytes);
    assert.deepEqual(Array.from(data as Float32Array), [1.5, -2, 3.25]);
    bytes.set(new Uint8Array(Float32Array.of(7).buffer), 0);
    assert.equal(data[0], 7, 'a view sees writes to the bytes');
  });

  it('copies bytes whose offset does not suit the element size, with the same values', () => {
    for (const [dtype, values, offset] of [
      ['float32', Float32Array.of(0.1, 2, -3), 1],
      ['float64', Float64Array.of(Math.PI, -1e300), 4],
      ['int64', BigInt64Array.of(-5n, 2n ** 40n), 12],
    ] as const) {
      const bytes = bytesAt(values, offset);
      const data = fromBytes(dtype, bytes);
      assert.deepEqual(Array.from(data as Float64Array), Array.from(values as Float64Array), dtype);
      bytes.fill(0);
      assert.deepEqual(Array.from(data as Float64Array), Array.from(values as Float64Array), `${dtype} copy`);
    }
  });
});

describe('concat and sliceRows', () => {
  it('stack views and copies along dim 0 and split them back in order', () => {
    const a = fromBytes('float32', bytesAt(Float32Array.of(1, 2, 3, 4), 4));
    const b = fromBytes('float32', bytesAt(Float32Array.of(5, 6), 2));
    const batch = concat([
      { dtype: 'float32', shape: [2, 2], data: a },
      { dtype: 'float32', shape: [1, 2], data: b },
    ]);
    assert.deepEqual(batch.shape, [3, 2]);
    assert.deepEqual(Array.from(batch.data as Float32Array), [1, 2, 3, 4, 5, 6]);
    const last = sliceRows(batch, 2, 1);
    assert.deepEqual(
      [last.shape, Array.from(last.data as Float32Array)],
      [
        [1, 2],
        [5, 6],
      ],
    );
  });
});
