// Streams sparse CSR columns back out as libsvm text that re-imports to identical typed arrays.

import { InvalidError } from '../../errors/index.js';
import type { Column, ImportResult, TypedArray } from './columns.js';
import { findColumn } from './columns.js';
import { formatFloat32, formatFloat64 } from './numbers.js';

const CHUNK_CHARS = 1 << 16;

function need(result: ImportResult, name: string, dtypes: readonly string[]): TypedArray {
  const col: Column | undefined = findColumn(result, name);
  if (!col || !dtypes.includes(col.dtype)) {
    throw new InvalidError(`libsvm export needs a '${name}' column of ${dtypes.join(' or ')}`, {
      details: { column: name, field: col ? 'dtype' : 'columns' },
    });
  }
  return col.data as TypedArray;
}

/**
 * Writes a sparse import result (`label`, `indptr`, `indices`, `values`, optional `qid`) as libsvm
 * text. Indices are written one-based unless `meta.zeroBased` is true; float32 values use their
 * shortest exact decimal, float64 labels their JS round-trip form.
 */
export async function* exportLibsvm(result: ImportResult): AsyncGenerator<Uint8Array> {
  const labels = need(result, 'label', ['float64', 'float32', 'int32', 'uint8', 'int8', 'int16', 'uint16']);
  const indptr = need(result, 'indptr', ['uint32', 'int32', 'float64']);
  const indices = need(result, 'indices', ['int32', 'uint32']);
  const values = need(result, 'values', ['float32', 'float64']);
  const qidCol = findColumn(result, 'qid');
  const qids = qidCol ? (qidCol.data as TypedArray) : undefined;
  const f32 = values instanceof Float32Array;
  const base = result.meta.zeroBased === true ? 0 : 1;
  const rows = labels.length;
  if (indptr.length !== rows + 1) {
    throw new InvalidError(`indptr has ${indptr.length} entries; ${rows + 1} expected for ${rows} rows`, {
      details: { column: 'indptr', field: 'shape' },
    });
  }
  const encoder = new TextEncoder();
  let text = '';
  for (let r = 0; r < rows; r++) {
    text += formatFloat64(Number(labels[r]));
    if (qids) text += ` qid:${qids[r]}`;
    const end = Number(indptr[r + 1]);
    for (let k = Number(indptr[r]); k < end; k++) {
      const v = Number(values[k]);
      text += ` ${Number(indices[k]) + base}:${f32 ? formatFloat32(v) : formatFloat64(v)}`;
    }
    text += '\n';
    if (text.length >= CHUNK_CHARS) {
      yield encoder.encode(text);
      text = '';
    }
  }
  if (text.length > 0) yield encoder.encode(text);
}
