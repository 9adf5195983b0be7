// The column data model every importer produces and every exporter consumes.
import type { DatasetKind, DType, NumericDType } from '../../api/index.js';
import type { TypedArray } from '../../codec/index.js';

export { bytesOf, itemSize, viewAs } from '../../codec/index.js';
export type { DatasetKind, DType, NumericDType, TypedArray };

/** A fixed-width column; `shape` is the full shape in C order, its first dimension the row count. */
export interface DenseColumn {
  name: string;
  dtype: NumericDType;
  shape: number[];
  data: TypedArray;
}

/** A text column: row `i` is `data[offsets[i] .. offsets[i + 1])`, so `offsets` has rows + 1 entries. */
export interface Utf8Column {
  name: string;
  dtype: 'utf8';
  shape: [number];
  data: Uint8Array;
  offsets: Uint32Array;
}

export type Column = DenseColumn | Utf8Column;

export interface ImportResult {
  kind: DatasetKind;
  columns: Column[];
  rows: number;
  meta: Record<string, unknown>;
}

/** One uploaded file: its bytes as they arrive (an HTTP body, a file stream). */
export interface ImportFile {
  name: string;
  body: AsyncIterable<Uint8Array>;
}

/** What every importer takes: the files of one dataset (IDX needs images + labels) and format options. */
export interface ImportSource<O = Record<string, never>> {
  files: ImportFile[];
  options?: O;
}

export const product = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

const decoder = new TextDecoder();

/** Row `i` of a text column as a string. */
export const utf8At = (col: Utf8Column, i: number): string =>
  decoder.decode(col.data.subarray(col.offsets[i], col.offsets[i + 1]));

/** The column called `name`, or undefined. */
export const findColumn = (result: ImportResult, name: string): Column | undefined =>
  result.columns.find((c) => c.name === name);

export const isLittleEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
