// Property tests: generated valid libsvm, CSV, IDX (plain and gzip) and .npy files import to exactly the values written.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { gzipSync } from 'node:zlib';
import fc from 'fast-check';
import { viewAs } from '../../src/codec/index.js';
import type { Column, NumericDType } from '../../src/datasets/formats/index.js';
import {
  exportNpy,
  importCsv,
  importIdx,
  importLibsvm,
  importNpy,
  itemSize,
} from '../../src/datasets/formats/index.js';
import { collect, memFile } from '../../src/datasets/formats/testing/streams.js';
import { fuzzParams } from './budget.js';
import { chunkSize } from './mutate.js';

const bytesOf = (c: Column): Buffer => Buffer.from(c.data.buffer, c.data.byteOffset, c.data.byteLength);
const noNegZero = (v: number): number => (v === 0 ? 0 : v);

describe('valid inputs import to the values written', () => {
  it('libsvm: labels, one-based sorted indices and float32 values', async () => {
    const row = fc.record({
      label: fc.double({ noNaN: true, noDefaultInfinity: true }).map(noNegZero),
      features: fc
        .uniqueArray(fc.integer({ min: 1, max: 100_000 }), { maxLength: 8 })
        .map((ix) => ix.sort((a, b) => a - b)),
      values: fc.array(fc.float({ noNaN: true, noDefaultInfinity: true }).map(noNegZero), {
        minLength: 8,
        maxLength: 8,
      }),
    });
    await fc.assert(
      fc.asyncProperty(fc.array(row, { maxLength: 20 }), chunkSize, async (rows, chunk) => {
        const text = rows
          .map((r) => [String(r.label), ...r.features.map((f, k) => `${f}:${r.values[k]}`)].join(' '))
          .join('\n');
        const got = await importLibsvm({ files: [memFile('f.svm', text, chunk)] });
        const col = (name: string) => got.columns.find((c) => c.name === name)!.data;
        assert.equal(got.rows, rows.length);
        assert.deepEqual(col('label'), Float64Array.from(rows.map((r) => r.label)));
        assert.deepEqual(col('indices'), Int32Array.from(rows.flatMap((r) => r.features.map((f) => f - 1))));
        assert.deepEqual(
          col('values'),
          Float32Array.from(rows.flatMap((r) => r.values.slice(0, r.features.length))),
        );
        let at = 0;
        assert.deepEqual(col('indptr'), Uint32Array.from([0, ...rows.map((r) => (at += r.features.length))]));
      }),
      fuzzParams(),
    );
  });

  it('csv: int32, float64 and quoted text columns (commas, quotes, newlines inside)', async () => {
    type Kind = 'int' | 'float' | 'text';
    const cell: Record<Kind, fc.Arbitrary<string | number>> = {
      int: fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 }),
      float: fc.double({ noNaN: true, noDefaultInfinity: true }).filter((v) => !Number.isInteger(v)),
      text: fc.string({ unit: 'grapheme', maxLength: 12 }).map((s) => `x${s}`),
    };
    const table = fc
      .uniqueArray(fc.stringMatching(/^[a-k][a-z0-9]{0,6}$/), { minLength: 1, maxLength: 5 })
      .chain((names) =>
        fc.tuple(
          fc.constant(names),
          fc.array(fc.constantFrom<Kind>('int', 'float', 'text'), {
            minLength: names.length,
            maxLength: names.length,
          }),
        ),
      )
      .chain(([names, kinds]) =>
        fc.tuple(
          fc.constant(names),
          fc.constant(kinds),
          fc.array(fc.tuple(...kinds.map((k) => cell[k])), { minLength: 1, maxLength: 15 }),
        ),
      );
    const quote = (v: string | number) =>
      typeof v === 'string' ? `"${v.replaceAll('"', '""')}"` : String(v);
    await fc.assert(
      fc.asyncProperty(table, chunkSize, async ([names, kinds, rows], chunk) => {
        const text = [names.join(','), ...rows.map((r) => r.map(quote).join(','))].join('\r\n');
        const got = await importCsv({ files: [memFile('t.csv', text, chunk)] });
        assert.equal(got.rows, rows.length);
        names.forEach((name, k) => {
          const c = got.columns.find((col) => col.name === name)!;
          const values = rows.map((r) => r[k]!);
          if (kinds[k] === 'text') {
            assert.equal(c.dtype, 'utf8');
            assert.equal(Buffer.from(c.data as Uint8Array).toString(), values.join(''));
          } else {
            assert.equal(c.dtype, kinds[k] === 'int' ? 'int32' : 'float64');
            assert.deepEqual([...(c.data as Float64Array)], values);
          }
        });
      }),
      fuzzParams(),
    );
  });

  const IDX_TYPES: Array<[NumericDType, number]> = [
    ['uint8', 8],
    ['int8', 9],
    ['int16', 11],
    ['int32', 12],
    ['float32', 13],
    ['float64', 14],
  ];
  /** A dtype, a shape and big-endian payload bytes for it. */
  const array = (dtypes: NumericDType[]) =>
    fc
      .record({
        dtype: fc.constantFrom(...dtypes),
        shape: fc.array(fc.integer({ min: 0, max: 5 }), { minLength: 1, maxLength: 4 }),
      })
      .chain(({ dtype, shape }) => {
        const length = shape.reduce((a, b) => a * b, 1) * itemSize(dtype);
        return fc.record({
          dtype: fc.constant(dtype),
          shape: fc.constant(shape),
          payload: fc.uint8Array({ minLength: length, maxLength: length }),
        });
      });
  /** The payload with each element's bytes reversed: big-endian to the host's little-endian order. */
  const swapped = (payload: Uint8Array, size: number): Buffer => {
    const out = Buffer.from(payload);
    for (let at = 0; at < out.length; at += size) out.subarray(at, at + size).reverse();
    return out;
  };

  it('idx: every type byte, ranks 1 to 4, plain and gzip', async () => {
    await fc.assert(
      fc.asyncProperty(array(IDX_TYPES.map(([d]) => d)), fc.boolean(), chunkSize, async (a, gz, chunk) => {
        const head = Buffer.alloc(4 + 4 * a.shape.length);
        head[2] = IDX_TYPES.find(([d]) => d === a.dtype)![1];
        head[3] = a.shape.length;
        for (const [k, d] of a.shape.entries()) head.writeUInt32BE(d, 4 + 4 * k);
        const file = Buffer.concat([head, a.payload]);
        const got = await importIdx({ files: [memFile('x.idx', gz ? gzipSync(file) : file, chunk)] });
        const x = got.columns[0]!;
        assert.deepEqual([x.dtype, x.shape, got.rows], [a.dtype, a.shape, a.shape[0]]);
        assert.deepEqual(bytesOf(x), swapped(a.payload, itemSize(a.dtype)));
      }),
      fuzzParams(),
    );
  });

  it('npy: export then import gives the column back, and a Fortran-order 2-D file reads in C order', async () => {
    const dtypes: NumericDType[] = [
      'uint8',
      'int8',
      'bool',
      'uint16',
      'int16',
      'uint32',
      'int32',
      'uint64',
      'int64',
      'float32',
      'float64',
    ];
    await fc.assert(
      fc.asyncProperty(array(dtypes), chunkSize, async (a, chunk) => {
        const size = itemSize(a.dtype);
        const native = swapped(a.payload, size);
        const column = {
          name: 'x',
          dtype: a.dtype,
          shape: a.shape,
          data: viewAs(a.dtype, new Uint8Array(native)),
        } as Column;
        const file = await collect(exportNpy(column));
        const got = (await importNpy({ files: [memFile('x.npy', file, chunk)] })).columns[0]!;
        assert.deepEqual([got.dtype, got.shape], [a.dtype, a.shape]);
        assert.deepEqual(bytesOf(got), native);
        if (a.shape.length !== 2) return;
        const [r, c] = a.shape as [number, number];
        const fortran = Buffer.alloc(native.length);
        for (let i = 0; i < r; i++)
          for (let j = 0; j < c; j++)
            native.copy(fortran, (j * r + i) * size, (i * c + j) * size, (i * c + j + 1) * size);
        const header = file.subarray(0, file.length - native.length);
        const fHeader = Buffer.from(
          header.toString('latin1').replace("'fortran_order': False", "'fortran_order': True "),
          'latin1',
        );
        const back = (
          await importNpy({ files: [memFile('f.npy', Buffer.concat([fHeader, fortran]), chunk)] })
        ).columns[0]!;
        assert.deepEqual(bytesOf(back), native);
      }),
      fuzzParams(),
    );
  });
});
