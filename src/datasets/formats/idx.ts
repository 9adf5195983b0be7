// IDX (MNIST family) import: images + labels files, plain or gzip, into native typed columns.

import { InvalidError } from '../../errors/index.js';
import type { Column, DenseColumn, ImportResult, ImportSource, NumericDType } from './columns.js';
import { isLittleEndianHost, itemSize, product, viewAs } from './columns.js';
import { swapBytes } from './endian.js';
import { ByteReader, maybeGunzip } from './source.js';

/** IDX type byte → dtype. */
const IDX_DTYPES: Record<number, NumericDType> = {
  8: 'uint8',
  9: 'int8',
  11: 'int16',
  12: 'int32',
  13: 'float32',
  14: 'float64',
};

export type IdxOptions = Record<string, never>;

export interface IdxArray {
  dtype: NumericDType;
  shape: number[];
  data: DenseColumn['data'];
}

/** Reads one IDX stream (gzip detected by magic) into a native-endian typed array. */
export async function readIdx(body: AsyncIterable<Uint8Array>, name: string): Promise<IdxArray> {
  const reader = new ByteReader(maybeGunzip(body, name));
  const magic = await reader.readExact(4, 'magic', name);
  const dtype = IDX_DTYPES[magic[2] as number];
  const ndim = magic[3] as number;
  if (magic[0] !== 0 || magic[1] !== 0 || dtype === undefined || ndim === 0) {
    const hex = Buffer.from(magic).toString('hex');
    throw new InvalidError(`${name}: not an IDX file (magic 0x${hex}, expected 0x0000 <type> <ndim>)`, {
      details: { file: name, field: 'magic', offset: 0 },
    });
  }
  const dimBytes = await reader.readExact(4 * ndim, 'dimensions', name);
  const dims = new DataView(dimBytes.buffer);
  const shape = Array.from({ length: ndim }, (_, k) => dims.getUint32(4 * k, false));
  const size = itemSize(dtype);
  const expected = product(shape) * size;
  const payload = await reader.readExact(expected, 'data', name);
  const trailing = await reader.drain();
  if (trailing > 0) {
    throw new InvalidError(
      `${name}: ${trailing} bytes after the ${expected} data bytes that dimensions ${shape.join('x')} call for`,
      {
        details: {
          file: name,
          field: 'data',
          offset: 4 + 4 * ndim + expected,
          expected,
          actual: expected + trailing,
        },
      },
    );
  }
  if (size > 1 && isLittleEndianHost) swapBytes(payload, size);
  return { dtype, shape, data: viewAs(dtype, payload) };
}

/**
 * Imports IDX files. With an images file (2+ dimensions) and a labels file (1 dimension), given in
 * any order, yields kind `image`: column `image` of shape [N, H, W, 1] (a channel axis is added to
 * 3-d files, per the [N, H, W, C] image convention) and `label` with the labels file's own dtype
 * (uint8 for MNIST). A single file of any rank yields kind `dense` with one column `x`.
 */
export async function importIdx(source: ImportSource<IdxOptions>): Promise<ImportResult> {
  if (source.files.length < 1 || source.files.length > 2) {
    throw new InvalidError(
      `idx import takes an images file and a labels file, got ${source.files.length} files`,
      {
        details: { field: 'files', count: source.files.length },
      },
    );
  }
  const arrays: Array<IdxArray & { file: string }> = [];
  for (const f of source.files) arrays.push({ ...(await readIdx(f.body, f.name)), file: f.name });
  if (arrays.length === 1) {
    const a = arrays[0]!;
    const column: Column = { name: 'x', dtype: a.dtype, shape: a.shape, data: a.data };
    return { kind: 'dense', columns: [column], rows: a.shape[0] ?? 0, meta: { files: [a.file] } };
  }
  const images = arrays.find((a) => a.shape.length >= 2);
  const labels = arrays.find((a) => a.shape.length === 1);
  if (!images || !labels) {
    throw new InvalidError(
      'idx import needs one images file (2+ dimensions) and one labels file (1 dimension)',
      {
        details: { field: 'files', shapes: arrays.map((a) => ({ file: a.file, shape: a.shape })) },
      },
    );
  }
  const n = images.shape[0] as number;
  if (labels.shape[0] !== n) {
    throw new InvalidError(
      `idx: ${images.file} has ${n} images but ${labels.file} has ${labels.shape[0]} labels`,
      {
        details: { field: 'N', images: n, labels: labels.shape[0] },
      },
    );
  }
  const imageShape = images.shape.length === 3 ? [...images.shape, 1] : images.shape;
  return {
    kind: 'image',
    rows: n,
    columns: [
      { name: 'image', dtype: images.dtype, shape: imageShape, data: images.data },
      { name: 'label', dtype: labels.dtype, shape: [n], data: labels.data },
    ],
    meta: { height: images.shape[1], width: images.shape[2] ?? 1, channels: imageShape[3] ?? 1 },
  };
}
