/**
 * raw-float32: one data file of little-endian float32 values and a JSON tensor index
 * `{"data": "weights.bin", "tensors": {"name": {"shape": [2, 3], "offset": 0}}}` (`offset` in bytes, a multiple
 * of 4; each tensor takes product(shape) × 4 bytes from there). `data` may be left out when there is one data file.
 */
import { elementCount } from './dtype.js';
import { type TensorEntry, weightsError } from './entry.js';

export interface RawIndex {
  data?: string;
  tensors: Record<string, { shape: number[]; offset: number }>;
}

/** Parses the index; `dataFiles` are the generation's non-JSON files, to default `data`. */
export function rawEntries(file: string, indexJson: Uint8Array, dataFiles: readonly string[]): TensorEntry[] {
  let index: Partial<RawIndex>;
  try {
    index = JSON.parse(Buffer.from(indexJson).toString('utf8'));
  } catch (cause) {
    throw weightsError(file, `not JSON (${(cause as Error).message})`);
  }
  if (typeof index?.tensors !== 'object' || index.tensors === null) {
    throw weightsError(file, 'needs a "tensors" object: {name: {shape, offset}}');
  }
  const data = rawDataFile(file, index, dataFiles);
  return Object.entries(index.tensors).map(([name, spec]) => {
    const shape = spec?.shape;
    const offset = spec?.offset;
    if (!Array.isArray(shape) || typeof offset !== 'number' || offset % 4 !== 0) {
      throw weightsError(file, `tensor ${name}: needs shape and a byte offset that is a multiple of 4`, {
        tensor: name,
      });
    }
    const count = elementCount(shape, `tensor ${name} shape`);
    return {
      name,
      dtype: 'float32',
      shape,
      segments: [{ file: data, start: offset, end: offset + count * 4 }],
    };
  });
}

export function rawDataFile(file: string, index: Partial<RawIndex>, dataFiles: readonly string[]): string {
  if (typeof index.data === 'string') return index.data;
  if (dataFiles.length !== 1) {
    throw weightsError(file, `name the data file in "data" (there are ${dataFiles.length} candidates)`);
  }
  return dataFiles[0]!;
}
