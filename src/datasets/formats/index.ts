// Dataset file formats: streaming importers (libsvm, CSV, IDX, .npy) and exporters (libsvm, .npy).

import type { ImportResult, ImportSource } from './columns.js';
import type { CsvOptions } from './csv.js';
import { importCsv } from './csv.js';
import type { IdxOptions } from './idx.js';
import { importIdx } from './idx.js';
import type { LibsvmOptions } from './libsvm.js';
import { importLibsvm } from './libsvm.js';
import type { NpyOptions } from './npy.js';
import { importNpy } from './npy.js';

export type {
  Column,
  DatasetKind,
  DenseColumn,
  DType,
  ImportFile,
  ImportResult,
  ImportSource,
  NumericDType,
  TypedArray,
  Utf8Column,
} from './columns.js';
export { findColumn, itemSize, utf8At } from './columns.js';
export type { CsvOptions } from './csv.js';
export { importCsv } from './csv.js';
export type { IdxOptions } from './idx.js';
export { importIdx } from './idx.js';
export type { LibsvmMeta, LibsvmOptions } from './libsvm.js';
export { importLibsvm } from './libsvm.js';
export { exportLibsvm } from './libsvm-export.js';
export type { NpyOptions } from './npy.js';
export { exportNpy, importNpy } from './npy.js';
export { writeNpyHeader } from './npy-header.js';

import type { ImportFormat } from '../../api/index.js';

export type { ImportFormat };

/** Options each format accepts. */
export interface ImportOptionsByFormat {
  libsvm: LibsvmOptions;
  csv: CsvOptions;
  idx: IdxOptions;
  npy: NpyOptions;
}

export type Importer<F extends ImportFormat> = (
  source: ImportSource<ImportOptionsByFormat[F]>,
) => Promise<ImportResult>;

/** Every importer, by format name, with one signature: files in, typed columns out. */
export const importers: { [F in ImportFormat]: Importer<F> } = {
  libsvm: importLibsvm,
  csv: importCsv,
  idx: importIdx,
  npy: importNpy,
};
