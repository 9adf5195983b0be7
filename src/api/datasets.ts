/** Datasets on the wire: the manifest of a version, its column schema and shard list, summaries, formats. */

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

export type DatasetKind = 'sparse' | 'dense' | 'image' | 'table';

/** Formats `POST /api/v1/datasets/{name}/versions` imports. */
export const IMPORT_FORMATS = ['libsvm', 'csv', 'idx', 'npy'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

/** The import format a file name suggests, if any (`.csv`, `.npy`, `*-ubyte`/`.idx`, `.svm`/`.libsvm`; `.gz` too). */
export function guessFormat(file: string): ImportFormat | undefined {
  const f = file.toLowerCase().replace(/\.gz$/, '');
  if (f.endsWith('.csv')) return 'csv';
  if (f.endsWith('.npy')) return 'npy';
  if (/-ubyte$|\.idx\d?$/.test(f)) return 'idx';
  if (/\.(svm|libsvm|svmlight)$/.test(f)) return 'libsvm';
  return undefined;
}

/** Formats `GET …/versions/{v}/export` writes. */
export const EXPORT_FORMATS = ['libsvm', 'npy'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];

/**
 * How a column's first axis relates to rows: `row` — one entry per row (dense or utf8);
 * `indptr` — CSR row pointers (rows + 1 entries); `nnz` — one entry per stored sparse value.
 */
export type ColumnAxis = 'row' | 'indptr' | 'nnz';

export interface ColumnSchema {
  name: string;
  dtype: DType;
  /** Full shape over the whole version, C order. */
  shape: number[];
  axis: ColumnAxis;
}

export interface ShardRef {
  /** sha256 of the shard blob: the store's content address. */
  digest: string;
  /** First row of this shard in the version. */
  rowStart: number;
  rows: number;
  bytes: number;
}

export interface SourceFile {
  name: string;
  bytes: number;
  sha256: string;
}

export interface Manifest {
  name: string;
  version: number;
  kind: DatasetKind;
  rows: number;
  columns: ColumnSchema[];
  shards: ShardRef[];
  /** Sum of shard sizes. */
  bytes: number;
  /** sha256 over the schema and the shard digests: equal digests mean equal content. */
  digest: string;
  source: { format: ImportFormat; files: SourceFile[]; options: Record<string, unknown> };
  /** Format metadata from the importer (libsvm `zeroBased`, CSV `labelNames`, image size, …). */
  meta: Record<string, unknown>;
  createdAt: string;
  createdBy: string;
}

/** What a push returns (the API's 201 body). */
export interface PushResult {
  name: string;
  version: number;
  rows: number;
  columns: Array<Pick<ColumnSchema, 'name' | 'dtype' | 'shape'>>;
  bytes: number;
  digest: string;
}

export interface VersionSummary {
  version: number;
  rows: number;
  bytes: number;
  kind: DatasetKind;
  columns: Array<Pick<ColumnSchema, 'name' | 'dtype' | 'shape'>>;
  digest: string;
  createdAt: string;
}

export interface DatasetSummary {
  name: string;
  versions: VersionSummary[];
  latest: number;
}

/** Stream parameters, as the intake endpoint and the SDK take them. */
export interface StreamOptions {
  batchSize: number;
  rank: number;
  worldSize: number;
  /** Unsigned 32-bit seed; absent means the stored order. */
  shuffleSeed?: number;
  epoch: number;
}

/** Where the manager's store lives, so an SDK on the same machine can read an LMDB store's memory map. */
export interface StoreInfo {
  backend: 'lmdb' | 'redis';
  host: string;
  path?: string;
}

/** `GET /api/v1/datasets`. */
export interface DatasetList {
  datasets: DatasetSummary[];
  store: StoreInfo;
}

/** `GET …/versions/{v}/rows`: a bounded window of a version as JSON values. */
export interface RowsPage {
  name: string;
  version: number;
  offset: number;
  total: number;
  rows: Record<string, unknown>[];
}
