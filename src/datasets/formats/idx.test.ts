// Tests for the idx format code, on hand-made files and real data where the machine has it.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { gunzipSync, gzipSync } from 'node:zlib';
import { InvalidError } from '../../errors/index.js';
import { findColumn, importIdx } from './index.js';
import { diskFile, memFile } from './testing/streams.js';

const FASHION = '/usr/share/datasets/fashion-mnist';

/** Builds an IDX file by hand: magic, big-endian dims, big-endian payload. */
function idx(type: number, shape: number[], values: number[]): Buffer {
  const size = { 8: 1, 9: 1, 11: 2, 12: 4, 13: 4, 14: 8 }[type] as number;
  const out = Buffer.alloc(4 + 4 * shape.length + size * values.length);
  out.set([0, 0, type, shape.length]);
  shape.forEach((d, k) => {
    out.writeUInt32BE(d, 4 + 4 * k);
  });
  const at = 4 + 4 * shape.length;
  values.forEach((v, k) => {
    const o = at + k * size;
    if (type === 8) out.writeUInt8(v, o);
    else if (type === 9) out.writeInt8(v, o);
    else if (type === 11) out.writeInt16BE(v, o);
    else if (type === 12) out.writeInt32BE(v, o);
    else if (type === 13) out.writeFloatBE(v, o);
    else out.writeDoubleBE(v, o);
  });
  return out;
}

async function rejectsWith(
  files: Array<[string, Uint8Array]>,
  pattern: RegExp,
  details: object,
): Promise<void> {
  await assert.rejects(importIdx({ files: files.map(([n, b]) => memFile(n, b, 5)) }), (err: unknown) => {
    assert.ok(err instanceof InvalidError, String(err));
    assert.match(err.message, pattern);
    for (const [k, v] of Object.entries(details)) assert.deepEqual(err.details[k], v, k);
    return true;
  });
}

describe('idx import', () => {
  it('combines images and labels (either order, plain or gzip) into image + label columns', async () => {
    const pixels = Array.from({ length: 2 * 3 * 2 }, (_, k) => (k * 37) % 256);
    const images = idx(8, [2, 3, 2], pixels);
    const labels = idx(8, [2], [7, 1]);
    for (const files of [
      [memFile('images', images, 3), memFile('labels', labels, 1)],
      [memFile('labels.gz', gzipSync(labels), 2), memFile('images.gz', gzipSync(images), 4)],
    ]) {
      const r = await importIdx({ files });
      assert.equal(r.kind, 'image');
      assert.equal(r.rows, 2);
      const image = findColumn(r, 'image');
      assert.equal(image?.dtype, 'uint8');
      assert.deepEqual(image?.shape, [2, 3, 2, 1]);
      assert.deepEqual(image?.data, new Uint8Array(pixels));
      assert.deepEqual(findColumn(r, 'label')?.data, new Uint8Array([7, 1]));
    }
  });

  it('converts big-endian multi-byte payloads to native typed arrays', async () => {
    const cases: Array<[number, number[], ArrayLike<number>]> = [
      [9, [-128, 5, 127], new Int8Array([-128, 5, 127])],
      [11, [-2, 300, 32767], new Int16Array([-2, 300, 32767])],
      [12, [-70000, 1, 2 ** 31 - 1], new Int32Array([-70000, 1, 2 ** 31 - 1])],
      [13, [1.5, -0.25, 3e10], new Float32Array([1.5, -0.25, 3e10])],
      [14, [Math.PI, -1e-300, 2], new Float64Array([Math.PI, -1e-300, 2])],
    ];
    for (const [type, values, expected] of cases) {
      const r = await importIdx({ files: [memFile('x', idx(type, [3], values), 3)] });
      assert.equal(r.kind, 'dense');
      assert.deepEqual(findColumn(r, 'x')?.data, expected, `type ${type}`);
    }
  });

  it('rejects wrong magic, truncation, trailing bytes and mismatched counts', async () => {
    const labels = idx(8, [3], [1, 2, 3]);
    const images = idx(8, [2, 2, 2], [1, 2, 3, 4, 5, 6, 7, 8]);
    await rejectsWith(
      [['bad', Buffer.from([0, 1, 8, 1, 0, 0, 0, 0])]],
      /not an IDX file \(magic 0x00010801/,
      {
        field: 'magic',
        offset: 0,
      },
    );
    await rejectsWith([['bad', Buffer.from([0, 0, 0x0a, 1, 0, 0, 0, 0])]], /not an IDX file/, {
      field: 'magic',
    });
    await rejectsWith(
      [['short', images.subarray(0, images.length - 3)]],
      /expected 8 bytes at offset 16, got 5/,
      {
        field: 'data',
        expected: 8,
        actual: 5,
        offset: 21,
      },
    );
    await rejectsWith([['dims', images.subarray(0, 9)]], /truncated dimensions/, { expected: 12, actual: 5 });
    await rejectsWith(
      [['long', Buffer.concat([labels, Buffer.from([9])])]],
      /1 bytes after the 3 data bytes/,
      {
        field: 'data',
      },
    );
    await rejectsWith(
      [
        ['images', images],
        ['labels', labels],
      ],
      /has 2 images but labels has 3 labels/,
      { field: 'N', images: 2, labels: 3 },
    );
    const gz = gzipSync(images);
    await rejectsWith([['cut.gz', gz.subarray(0, gz.length - 12)]], /gzip data is corrupt or truncated/, {
      field: 'gzip',
    });
  });
});

const fashion = existsSync(`${FASHION}/t10k-images-idx3-ubyte.gz`);
describe('idx with Fashion-MNIST', { skip: !fashion && 'dataset-fashion-mnist not installed' }, () => {
  it('imports the t10k images and labels from the gzip files', async () => {
    const imagesPath = `${FASHION}/t10k-images-idx3-ubyte.gz`;
    const labelsPath = `${FASHION}/t10k-labels-idx1-ubyte.gz`;
    const r = await importIdx({ files: [diskFile(imagesPath), diskFile(labelsPath)] });
    assert.equal(r.kind, 'image');
    assert.equal(r.rows, 10000);
    const image = findColumn(r, 'image');
    const label = findColumn(r, 'label');
    assert.deepEqual(image?.shape, [10000, 28, 28, 1]);
    assert.equal(image?.dtype, 'uint8');
    assert.deepEqual(label?.shape, [10000]);

    const rawLabels = gunzipSync(readFileSync(labelsPath));
    assert.equal(label?.data[0], rawLabels[8]);
    assert.deepEqual(label?.data, new Uint8Array(rawLabels.subarray(8)));

    const rawImages = gunzipSync(readFileSync(imagesPath));
    let expected = 0;
    for (let i = 16; i < rawImages.length; i++) expected += rawImages[i] as number;
    let actual = 0;
    for (const v of image!.data as Uint8Array) actual += v;
    assert.equal(actual, expected);
    assert.ok(actual > 0);
  });
});
