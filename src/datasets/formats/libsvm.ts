// libsvm / svmlight text import into CSR columns, parsed byte by byte, line by line.

import { InvalidError, TooLargeError } from '../../errors/index.js';
import type { Column, ImportResult, ImportSource } from './columns.js';
import { Growable } from './grow.js';
import { forEachRecord } from './lines.js';
import { parseInt32, parseNumber, parseUint, textOf } from './numbers.js';
import { singleFile } from './source.js';

export interface LibsvmOptions {
  /**
   * `auto` (default): zero-based if any index 0 appears, else one-based (as scikit-learn does).
   * `true`/`false` force it; with `false` an index 0 is an error.
   */
  zeroBased?: boolean | 'auto';
}

/** Metadata of a sparse import, in `ImportResult.meta`. */
export interface LibsvmMeta {
  /** Number of feature columns: max stored index + 1 (indices are stored zero-based). */
  features: number;
  /** Whether the file's indices were zero-based; exporters add 1 back when false. */
  zeroBased: boolean;
  /** Whether a `qid` column is present. */
  qid: boolean;
  nnz: number;
}

const MAX_NNZ = 0xffffffff;

const isSpace = (c: number | undefined): boolean => c === 32 || c === 9 || c === 11 || c === 12;

/**
 * Imports one libsvm/svmlight file into columns `label` (float64; integers stay exact), `indptr`
 * (uint32, rows + 1 entries), `indices` (int32, always zero-based — see `meta.zeroBased`),
 * `values` (float32) and, when the file has `qid:N`, `qid` (int32). Indices must strictly increase
 * within a line; `#` starts a comment; blank lines are skipped.
 */
export async function importLibsvm(source: ImportSource<LibsvmOptions>): Promise<ImportResult> {
  const file = singleFile(source, 'libsvm');
  const mode = source.options?.zeroBased ?? 'auto';
  const labels = new Growable(Float64Array);
  const qids = new Growable(Int32Array);
  const indptr = new Growable(Uint32Array);
  const indices = new Growable(Int32Array);
  const values = new Growable(Float32Array);
  indptr.push(0);
  let sawZero = false;
  let maxIndex = -1;
  let qidLines = 0;
  let rows = 0;

  const fail = (line: number, column: number, field: string, message: string): never => {
    throw new InvalidError(`line ${line}, column ${column}: ${message}`, {
      details: { line, column, field },
    });
  };

  await forEachRecord(file.body, (buf, start, end, line) => {
    let i = start;
    while (i < end && isSpace(buf[i])) i++;
    if (i === end || buf[i] === 35) return;
    let te = i;
    while (te < end && !isSpace(buf[te]) && buf[te] !== 35) te++;
    const label = parseNumber(buf, i, te);
    if (Number.isNaN(label)) {
      fail(line, i - start + 1, 'label', `label '${textOf(buf, i, te)}' is not a number`);
    }
    let prev = -1;
    let hasQid = false;
    for (;;) {
      i = te;
      while (i < end && isSpace(buf[i])) i++;
      if (i === end || buf[i] === 35) break;
      te = i;
      let colon = -1;
      while (te < end && !isSpace(buf[te]) && buf[te] !== 35) {
        if (buf[te] === 58 && colon < 0) colon = te;
        te++;
      }
      const column = i - start + 1;
      if (colon < 0) fail(line, column, 'pair', `'${textOf(buf, i, te)}' is not an index:value pair`);
      if (colon - i === 3 && buf[i] === 113 && buf[i + 1] === 105 && buf[i + 2] === 100) {
        if (hasQid || prev >= 0) fail(line, column, 'qid', 'qid must come once, before the features');
        const q = parseInt32(buf, colon + 1, te);
        if (Number.isNaN(q))
          fail(line, column, 'qid', `qid '${textOf(buf, colon + 1, te)}' is not an integer`);
        qids.push(q);
        hasQid = true;
        continue;
      }
      const index = parseUint(buf, i, colon);
      if (index < 0) {
        fail(line, column, 'index', `index '${textOf(buf, i, colon)}' is not a non-negative integer`);
      }
      if (index <= prev) {
        fail(line, column, 'index', `index ${index} is not greater than the previous index ${prev}`);
      }
      const value = parseNumber(buf, colon + 1, te);
      if (Number.isNaN(value)) {
        fail(line, colon - start + 2, 'value', `value '${textOf(buf, colon + 1, te)}' is not a number`);
      }
      if (index === 0) {
        if (mode === false) fail(line, column, 'index', 'index 0 in a one-based file');
        sawZero = true;
      }
      prev = index;
      indices.push(index);
      values.push(value);
    }
    if (prev > maxIndex) maxIndex = prev;
    if (hasQid) qidLines++;
    if (qidLines !== (hasQid ? rows + 1 : 0)) {
      fail(line, 1, 'qid', hasQid ? 'qid given here but not on earlier lines' : 'qid missing on this line');
    }
    if (indices.length > MAX_NNZ) {
      throw new TooLargeError(`line ${line}: more than ${MAX_NNZ} stored values`, { details: { line } });
    }
    labels.push(label);
    indptr.push(indices.length);
    rows++;
  });

  const zeroBased = mode === 'auto' ? sawZero : mode;
  const idx = indices.take();
  if (!zeroBased) for (let k = 0; k < idx.length; k++) idx[k] = (idx[k] as number) - 1;
  const features = zeroBased ? maxIndex + 1 : Math.max(0, maxIndex);
  const columns: Column[] = [
    { name: 'label', dtype: 'float64', shape: [rows], data: labels.take() },
    { name: 'indptr', dtype: 'uint32', shape: [rows + 1], data: indptr.take() },
    { name: 'indices', dtype: 'int32', shape: [idx.length], data: idx },
    { name: 'values', dtype: 'float32', shape: [idx.length], data: values.take() },
  ];
  if (qidLines > 0) columns.push({ name: 'qid', dtype: 'int32', shape: [rows], data: qids.take() });
  const meta: LibsvmMeta = { features, zeroBased, qid: qidLines > 0, nnz: idx.length };
  return { kind: 'sparse', columns, rows, meta: { ...meta } };
}
