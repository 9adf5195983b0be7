/** Streams a stored version back out as libsvm text or a `.npy` file, one shard in memory at a time. */

import type { ColumnSchema, ExportFormat, Manifest } from '../api/index.js';
import type { RowBlock } from '../codec/index.js';
import { InvalidError } from '../errors/index.js';
import { columnsOf } from './columns.js';
import { exportLibsvm, type NumericDType, writeNpyHeader } from './formats/index.js';

/** The column a `.npy` export writes: the one asked for, else the first numeric per-row column that is not `label`. */
export function npyColumn(m: Manifest, name?: string): { index: number; schema: ColumnSchema } {
  const candidates = m.columns.map((schema, index) => ({ index, schema }));
  const fit = (c: { schema: ColumnSchema }) => c.schema.axis === 'row' && c.schema.dtype !== 'utf8';
  const pick =
    name === undefined
      ? (candidates.find((c) => fit(c) && c.schema.name !== 'label') ?? candidates.find(fit))
      : candidates.find((c) => c.schema.name === name);
  if (!pick || !fit(pick)) {
    const names = candidates.filter(fit).map((c) => c.schema.name);
    throw new InvalidError(
      name === undefined
        ? `${m.name}@${m.version} has no numeric per-row column to write as .npy`
        : `column "${name}" of ${m.name}@${m.version} cannot be written as .npy (numeric per-row columns: ${names.join(', ') || 'none'})`,
      { details: { field: 'column', column: name ?? null, columns: names } },
    );
  }
  return pick;
}

export function checkExport(m: Manifest, format: ExportFormat, column?: string): void {
  if (format === 'npy') npyColumn(m, column);
  else if (m.kind !== 'sparse') {
    throw new InvalidError(
      `libsvm export needs a sparse (libsvm-imported) dataset; ${m.name}@${m.version} is ${m.kind} — use format=npy`,
      {
        details: { field: 'format', kind: m.kind },
      },
    );
  }
}

export async function* exportVersion(
  m: Manifest,
  format: ExportFormat,
  load: (index: number) => Promise<RowBlock>,
  column?: string,
): AsyncGenerator<Uint8Array> {
  checkExport(m, format, column);
  if (format === 'npy') {
    const { index, schema } = npyColumn(m, column);
    yield writeNpyHeader(schema.dtype as NumericDType, schema.shape);
    for (let i = 0; i < m.shards.length; i++) yield (await load(i)).columns[index]!.bytes;
    return;
  }
  for (let i = 0; i < m.shards.length; i++) {
    const block = await load(i);
    // Each shard's CSR is self-contained (rebased indptr), so it exports as a libsvm file of its own rows.
    yield* exportLibsvm({
      kind: m.kind,
      rows: block.rows,
      columns: columnsOf(m.columns, block),
      meta: m.meta,
    });
  }
}
