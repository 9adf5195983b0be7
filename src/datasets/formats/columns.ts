// The column data model every importer produces and every exporter consumes.

/** Numeric element types; `bool` is one byte per element (0/1) in a `Uint8Array`. */
export type NumericDType =
  | 'uint8'
  | 'int8'
  | 'uint16'
  | 'int16'
  | 'uint32'
  | 'int32'
  | 'int64'
  | 'uint64'
  | 'float32'
  | 'float64'
  | 'bool';

/** `utf8` columns hold variable-length text: `data` is the concatenated bytes, `offsets` the row bounds. */
export type DType = NumericDType | 'utf8';

export type TypedArray =
  | Uint8Array
  | Int8Array
  | Uint16Array
  | Int16Array
  | Uint32Array
  | Int32Array
  | BigInt64Array
  | BigUint64Array
  | Float32Array
  | Float64Array;

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

export type DatasetKind = 'sparse' | 'dense' | 'image' | 'table';

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

export type ArrayCtor =
  | Uint8ArrayConstructor
  | Int8ArrayConstructor
  | Uint16ArrayConstructor
  | Int16ArrayConstructor
  | Uint32ArrayConstructor
  | Int32ArrayConstructor
  | BigInt64ArrayConstructor
  | BigUint64ArrayConstructor
  | Float32ArrayConstructor
  | Float64ArrayConstructor;

export const ARRAY_CTOR: Record<NumericDType, ArrayCtor> = {
  uint8: Uint8Array,
  int8: Int8Array,
  uint16: Uint16Array,
  int16: Int16Array,
  uint32: Uint32Array,
  int32: Int32Array,
  int64: BigInt64Array,
  uint64: BigUint64Array,
  float32: Float32Array,
  float64: Float64Array,
  bool: Uint8Array,
};

export const itemSize = (dtype: NumericDType): number => ARRAY_CTOR[dtype].BYTES_PER_ELEMENT;

/** A typed view of `length` bytes of `bytes` from `at` (no copy; `at` must suit the dtype's alignment). */
export function typedView(dtype: DType, bytes: Uint8Array, at: number, length: number): TypedArray {
  const ctor = dtype === 'utf8' ? Uint8Array : ARRAY_CTOR[dtype];
  return new ctor(bytes.buffer as ArrayBuffer, bytes.byteOffset + at, length / ctor.BYTES_PER_ELEMENT);
}

/** A zero-filled array of `length` elements of `dtype`. */
export const allocate = (dtype: NumericDType, length: number): TypedArray => new ARRAY_CTOR[dtype](length);

/** A typed view over `bytes` (which must be aligned for the dtype); no copy. */
export function viewAs(dtype: NumericDType, bytes: Uint8Array): TypedArray {
  const ctor = ARRAY_CTOR[dtype];
  return new ctor(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength / ctor.BYTES_PER_ELEMENT);
}

/** The bytes of a typed array, as a view (no copy). */
export const bytesOf = (a: TypedArray): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

export const product = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

const decoder = new TextDecoder();

/** Row `i` of a text column as a string. */
export const utf8At = (col: Utf8Column, i: number): string =>
  decoder.decode(col.data.subarray(col.offsets[i], col.offsets[i + 1]));

/** The column called `name`, or undefined. */
export const findColumn = (result: ImportResult, name: string): Column | undefined =>
  result.columns.find((c) => c.name === name);

export const isLittleEndianHost = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;
