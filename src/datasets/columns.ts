/** Typed column views over a row block or a parsed frame, in the formats layer's `Column` shape. */

import type { ColumnSchema } from '../api/index.js';
import type { FrameColumn, RowBlock } from '../codec/index.js';
import { gather, parseFrame, rangePicks } from '../codec/index.js';
import type { Column, DenseColumn } from './formats/index.js';

export function toColumn(c: FrameColumn): Column {
  if (c.dtype === 'utf8') {
    return {
      name: c.name,
      dtype: 'utf8',
      shape: [c.shape[0] ?? 0],
      data: c.data as Uint8Array,
      offsets: c.offsets!,
    };
  }
  return { name: c.name, dtype: c.dtype, shape: c.shape, data: c.data } as DenseColumn;
}

/** Every column of rows `[start, start + count)` of a block, as typed arrays (one copy). */
export function columnsOf(schema: ColumnSchema[], block: RowBlock, start = 0, count = block.rows): Column[] {
  const { frame } = gather(schema, rangePicks(block, start, count), { t: 'shard' });
  return parseFrame(frame).columns.map(toColumn);
}
