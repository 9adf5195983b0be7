/** An import's columns as one row block (the first step of cutting it into shards). */
import type { ColumnAxis, ColumnSchema } from '../api/index.js';
import { blockColumn, finishBlock, type RowBlock } from '../codec/index.js';
import type { Column, ImportResult } from './formats/index.js';

/** Which axis an imported column lies on: sparse imports keep their CSR arrays, everything else is per row. */
function axisOf(kind: ImportResult['kind'], name: string): ColumnAxis {
  if (kind !== 'sparse') return 'row';
  if (name === 'indptr') return 'indptr';
  return name === 'indices' || name === 'values' ? 'nnz' : 'row';
}

/** The schema of an import and a block over all of its rows. */
export function blockOfImport(result: ImportResult): { schema: ColumnSchema[]; block: RowBlock } {
  const columns = result.columns.map((c: Column) => {
    const schema: ColumnSchema = {
      name: c.name,
      dtype: c.dtype,
      shape: c.shape,
      axis: axisOf(result.kind, c.name),
    };
    return blockColumn(schema, c.data, c.dtype === 'utf8' ? c.offsets : undefined);
  });
  return { schema: columns.map((c) => c.schema), block: finishBlock(result.rows, columns) };
}
