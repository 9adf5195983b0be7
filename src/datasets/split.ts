/** Cuts the rows of a version into shards of about `targetBytes` of column data each. */
import type { RowBlock } from '../codec/index.js';

/**
 * Row ranges `[start, start + count)`: greedy, so every shard but the last reaches the target, and a
 * single row bigger than the target gets a shard of its own. An empty version has no shard.
 */
export function planShards(block: RowBlock, targetBytes: number): Array<[start: number, count: number]> {
  const fixed = block.columns.every((c) => c.schema.axis === 'row' && !c.offsets);
  const ranges: Array<[number, number]> = [];
  if (fixed) {
    const rowBytes = block.columns.reduce((a, c) => a + c.unit, 0);
    const per = Math.max(1, Math.floor(targetBytes / Math.max(rowBytes, 1)));
    for (let s = 0; s < block.rows; s += per) ranges.push([s, Math.min(per, block.rows - s)]);
    return ranges;
  }
  const rowCost = (r: number): number => {
    let bytes = 0;
    for (const c of block.columns) {
      if (c.schema.axis === 'indptr') bytes += 4;
      else if (c.schema.axis === 'nnz') bytes += (block.indptr![r + 1]! - block.indptr![r]!) * c.unit;
      else if (c.offsets) bytes += 4 + c.offsets[r + 1]! - c.offsets[r]!;
      else bytes += c.unit;
    }
    return bytes;
  };
  let start = 0;
  let bytes = 0;
  for (let r = 0; r < block.rows; r++) {
    const cost = rowCost(r);
    if (r > start && bytes + cost > targetBytes) {
      ranges.push([start, r - start]);
      start = r;
      bytes = 0;
    }
    bytes += cost;
  }
  if (block.rows > start) ranges.push([start, block.rows - start]);
  return ranges;
}
