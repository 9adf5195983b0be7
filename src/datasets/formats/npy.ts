// NumPy .npy import (v1/v2/v3, C or Fortran order) and streamed v1 export.

import { InvalidError } from '../../errors/index.js';
import type { Column, DenseColumn, ImportResult, ImportSource } from './columns.js';
import { bytesOf, isLittleEndianHost, itemSize, product, viewAs } from './columns.js';
import { swapBytes } from './endian.js';
import type { NpyHeader } from './npy-header.js';
import { dtypeOfDescr, parseNpyHeader, writeNpyHeader } from './npy-header.js';
import { fortranToC } from './npy-order.js';
import { ByteReader, singleFile } from './source.js';

export interface NpyOptions {
  /** Name of the resulting column; default `x`. */
  name?: string;
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];

/**
 * Imports one .npy file into a single dense column (`x` unless `options.name`) with the header's
 * shape; big-endian payloads are converted to native order and Fortran-order ones (what NumPy writes for a
 * transposed array) to C order, so rows are what NumPy reads. The data length must match the shape exactly.
 */
export async function importNpy(source: ImportSource<NpyOptions>): Promise<ImportResult> {
  const file = singleFile(source, 'npy');
  const name = file.name;
  const reader = new ByteReader(file.body);
  const pre = await reader.readExact(8, 'magic', name);
  if (MAGIC.some((b, k) => pre[k] !== b)) {
    throw new InvalidError(`${name}: not a .npy file (bad magic)`, {
      details: { file: name, field: 'magic', offset: 0 },
    });
  }
  const major = pre[6] as number;
  if (major < 1 || major > 3) {
    throw new InvalidError(`${name}: unsupported .npy version ${major}.${pre[7]}`, {
      details: { file: name, field: 'version', offset: 6 },
    });
  }
  const lenBytes = await reader.readExact(major === 1 ? 2 : 4, 'header length', name);
  const lenView = new DataView(lenBytes.buffer);
  const hlen = major === 1 ? lenView.getUint16(0, true) : lenView.getUint32(0, true);
  const headerStart = reader.offset;
  const headerBytes = await reader.readExact(hlen, 'header', name);
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(headerBytes);
  const header = parseNpyHeader(text, name, headerStart);
  const { dtype, bigEndian } = dtypeOfDescr(header.descr, name, headerStart);
  const size = itemSize(dtype);
  const expected = product(header.shape) * size;
  const dataStart = reader.offset;
  const raw = await reader.readExact(expected, 'data', name).catch((err: unknown) => {
    throw err instanceof InvalidError
      ? lyingHeader(name, header, expected, err.details.actual as number, dataStart)
      : err;
  });
  const extra = await reader.drain();
  if (extra > 0) throw lyingHeader(name, header, expected, expected + extra, dataStart);
  const payload = header.fortranOrder ? fortranToC(raw, header.shape, size) : raw;
  if (bigEndian && isLittleEndianHost) swapBytes(payload, size);
  const column: Column = {
    name: source.options?.name ?? 'x',
    dtype,
    shape: header.shape,
    data: viewAs(dtype, payload),
  };
  return {
    kind: 'dense',
    columns: [column],
    rows: header.shape.length === 0 ? 1 : (header.shape[0] as number),
    meta: { descr: header.descr, version: major },
  };
}

function lyingHeader(
  file: string,
  header: NpyHeader,
  expected: number,
  actual: number,
  dataStart: number,
): InvalidError {
  const shape = header.shape.join(', ');
  return new InvalidError(
    `${file}: header shape (${shape}) of ${header.descr} needs ${expected} data bytes, file has ${actual}`,
    {
      details: { file, field: 'shape', offset: dataStart + Math.min(expected, actual), expected, actual },
    },
  );
}

const CHUNK = 1 << 20;

/** Streams a dense column as a v1.0 .npy file (little-endian, C order), in chunks of at most 1 MiB. */
export async function* exportNpy(column: Column): AsyncGenerator<Uint8Array> {
  if (column.dtype === 'utf8') {
    throw new InvalidError(`column '${column.name}' is text; .npy export needs a numeric column`, {
      details: { column: column.name, field: 'dtype' },
    });
  }
  const dense: DenseColumn = column;
  if (product(dense.shape) !== dense.data.length) {
    throw new InvalidError(
      `column '${column.name}': shape (${dense.shape.join(', ')}) does not match its data`,
      {
        details: { column: column.name, field: 'shape' },
      },
    );
  }
  yield writeNpyHeader(dense.dtype, dense.shape);
  const bytes = bytesOf(dense.data);
  const size = itemSize(dense.dtype);
  for (let at = 0; at < bytes.length; at += CHUNK) {
    const part = bytes.subarray(at, Math.min(bytes.length, at + CHUNK));
    if (isLittleEndianHost || size === 1) yield part;
    else {
      const copy = part.slice();
      swapBytes(copy, size);
      yield copy;
    }
  }
}
