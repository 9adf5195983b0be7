/** JSON rows for people and the dashboard: a bounded window of a version, decoded value by value. */

import type { Manifest } from '../api/index.js';
import type { RowBlock } from '../codec/index.js';
import { InvalidError } from '../errors/index.js';
import { columnsOf } from './columns.js';
import type { Column } from './formats/index.js';
import { utf8At } from './formats/index.js';

export const MAX_PREVIEW_ROWS = 1000;

const plain = (v: number | bigint): number | string => (typeof v === 'bigint' ? v.toString() : v);

export async function previewRows(
  m: Manifest,
  load: (index: number) => Promise<RowBlock>,
  offset: number,
  limit: number,
): Promise<{
  name: string;
  version: number;
  offset: number;
  total: number;
  rows: Record<string, unknown>[];
}> {
  if (!Number.isSafeInteger(offset) || offset < 0) {
    throw new InvalidError('offset: must be an integer ≥ 0', { details: { field: 'offset' } });
  }
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_PREVIEW_ROWS) {
    throw new InvalidError(`limit: must be an integer from 1 to ${MAX_PREVIEW_ROWS}`, {
      details: { field: 'limit' },
    });
  }
  const rows: Record<string, unknown>[] = [];
  const end = Math.min(offset + limit, m.rows);
  for (let i = 0; i < m.shards.length && rows.length < end - offset; i++) {
    const s = m.shards[i]!;
    const from = Math.max(offset, s.rowStart);
    const to = Math.min(end, s.rowStart + s.rows);
    if (to <= from) continue;
    const cols = columnsOf(m.columns, await load(i), from - s.rowStart, to - from);
    for (let r = 0; r < to - from; r++) rows.push(rowOf(cols, r));
  }
  return { name: m.name, version: m.version, offset, total: m.rows, rows };
}

function rowOf(cols: Column[], r: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  const ptr = cols.find((c) => c.name === 'indptr');
  for (const c of cols) {
    if (c.dtype === 'utf8') out[c.name] = utf8At(c, r);
    else if (c.name === 'indptr') continue;
    else if (ptr && (c.name === 'indices' || c.name === 'values')) {
      const a = Number(ptr.data[r]);
      const b = Number(ptr.data[r + 1]);
      out[c.name] = Array.from(c.data.subarray(a, b) as ArrayLike<number | bigint>, plain);
    } else {
      const per = c.shape.slice(1).reduce((x, y) => x * y, 1);
      const values = c.data.subarray(r * per, (r + 1) * per) as ArrayLike<number | bigint>;
      out[c.name] = c.shape.length === 1 ? plain(values[0]!) : Array.from(values, plain);
    }
  }
  return out;
}
