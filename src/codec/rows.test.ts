import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ColumnSchema } from '../api/index.js';
import { parseFrame } from './frame.js';
import { blockColumn, finishBlock, gather, gatherSegments, type Picks, type RowBlock } from './rows.js';

const schema: ColumnSchema[] = [
  { name: 'pixels', dtype: 'uint8', shape: [0, 3], axis: 'row' },
  { name: 'label', dtype: 'int64', shape: [0], axis: 'row' },
  { name: 'text', dtype: 'utf8', shape: [0], axis: 'row' },
  { name: 'indptr', dtype: 'uint32', shape: [0], axis: 'indptr' },
  { name: 'indices', dtype: 'uint32', shape: [0], axis: 'nnz' },
  { name: 'values', dtype: 'float32', shape: [0], axis: 'nnz' },
];

/** A block of `rows` rows whose every value tells its block and row, row r holding r % 3 sparse values. */
function block(id: number, rows: number): RowBlock {
  const pixels = Uint8Array.from({ length: rows * 3 }, (_, i) => (id * 50 + i) & 255);
  const label = BigInt64Array.from({ length: rows }, (_, r) => BigInt(id * 1000 + r));
  const words = Array.from({ length: rows }, (_, r) => `b${id}r${r}${'é'.repeat(r % 4)}`);
  const text = new TextEncoder().encode(words.join(''));
  const offsets = new Uint32Array(rows + 1);
  words.forEach((w, r) => {
    offsets[r + 1] = offsets[r]! + new TextEncoder().encode(w).length;
  });
  const indptr = new Uint32Array(rows + 1);
  for (let r = 0; r < rows; r++) indptr[r + 1] = indptr[r]! + (r % 3);
  const nnz = indptr[rows]!;
  const indices = Uint32Array.from({ length: nnz }, (_, i) => id * 100 + i);
  const values = Float32Array.from({ length: nnz }, (_, i) => id + i / 8);
  const data = [pixels, label, text, indptr, indices, values];
  return finishBlock(
    rows,
    schema.map((s, j) => blockColumn(s, data[j]!, s.dtype === 'utf8' ? offsets : undefined)),
  );
}

function picks(blocks: RowBlock[], rows: Array<[block: number, row: number]>): Picks {
  return {
    blocks,
    block: Uint32Array.from(rows.map(([b]) => b)),
    row: Uint32Array.from(rows.map(([, r]) => r)),
    count: rows.length,
  };
}

const concat = (segments: Uint8Array[]): Uint8Array => new Uint8Array(Buffer.concat(segments));

describe('gatherSegments', () => {
  const blocks = [block(1, 40), block(2, 30)];
  const range = (b: number, from: number, to: number): Array<[number, number]> =>
    Array.from({ length: to - from }, (_, i) => [b, from + i]);

  it('sends the same bytes as the gathered frame, across a block boundary (stored order)', () => {
    const p = picks(blocks, [...range(0, 25, 40), ...range(1, 0, 17)]);
    const head = { t: 'batch', batch: 3 } as const;
    const segments = gatherSegments(schema, p, head);
    assert.ok(segments.length > 2, 'several segments, not one copied frame');
    assert.deepEqual(concat(segments), gather(schema, p, head).frame);
  });

  it('references the blocks’ bytes for fixed-width and sparse values instead of copying them', () => {
    const p = picks(blocks, range(0, 5, 20));
    const segments = gatherSegments(schema, p, { t: 'batch', batch: 0 });
    const shares = (s: Uint8Array, j: number) => s.buffer === blocks[0]!.columns[j]!.bytes.buffer;
    for (const j of [0, 1, 4, 5])
      assert.ok(
        segments.some((s) => shares(s, j)),
        `column ${schema[j]!.name}`,
      );
    const { columns } = parseFrame(concat(segments));
    assert.deepEqual(
      Array.from(columns[1]!.data as BigInt64Array),
      range(0, 5, 20).map(([, r]) => BigInt(1000 + r)),
    );
    assert.deepEqual(
      Array.from(columns[3]!.data as Uint32Array),
      [0, 2, 2, 3, 5, 5, 6, 8, 8, 9, 11, 11, 12, 14, 14, 15],
    );
  });

  it('gathers many short runs (shuffled order) into one frame equal to gather’s', () => {
    const rows: Array<[number, number]> = [];
    for (let i = 0; i < 60; i++) rows.push([i % 2, (i * 7) % (i % 2 ? 30 : 40)]);
    const p = picks(blocks, rows);
    const segments = gatherSegments(schema, p, { t: 'batch', batch: 1 });
    assert.equal(segments.length, 1);
    assert.deepEqual(segments[0], gather(schema, p, { t: 'batch', batch: 1 }).frame);
  });

  it('pads every part to 8 bytes so the concatenated frame parses with aligned views', () => {
    const p = picks(blocks, range(1, 3, 8));
    const frame = concat(gatherSegments(schema, p, { t: 'batch', batch: 0 }));
    assert.equal(frame.length % 8, 0);
    assert.equal(new DataView(frame.buffer).getUint32(0, true), frame.length);
    const { columns } = parseFrame(frame);
    assert.deepEqual(
      Array.from(columns[0]!.data as Uint8Array),
      Array.from(blocks[1]!.columns[0]!.bytes.subarray(9, 24)),
    );
  });
});
