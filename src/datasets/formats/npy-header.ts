// Parses and writes the Python-literal header dict of NumPy .npy files.

import { InvalidError } from '../../errors/index.js';
import type { NumericDType } from './columns.js';
import { itemSize } from './columns.js';

export interface NpyHeader {
  descr: string;
  fortranOrder: boolean;
  shape: number[];
}

type PyValue = string | number | boolean | PyValue[] | { [k: string]: PyValue };

const fail = (file: string, offset: number, message: string): never => {
  throw new InvalidError(`${file}: .npy header: ${message}`, { details: { file, field: 'header', offset } });
};

/** NumPy writes one dict holding one tuple; deeper nesting is refused before it can exhaust the stack. */
const MAX_DEPTH = 16;

/** Parses the small subset of Python literals .npy headers use: dicts, str, int, bool, tuples, lists. */
export function parseNpyHeader(text: string, file: string, baseOffset: number): NpyHeader {
  let i = 0;
  let depth = 0;
  const ws = (): void => {
    while (i < text.length && /\s/.test(text[i] as string)) i++;
  };
  const value = (): PyValue => {
    ws();
    const c = text[i];
    if (c === '{' || c === '(' || c === '[') {
      const close = c === '{' ? '}' : c === '(' ? ')' : ']';
      if (++depth > MAX_DEPTH) fail(file, baseOffset + i, `nested deeper than ${MAX_DEPTH} levels`);
      i++;
      const items: PyValue[] = [];
      // No prototype: a '__proto__' key is a key like any other, not the dict's parent.
      const dict: Record<string, PyValue> = Object.create(null);
      for (;;) {
        ws();
        if (text[i] === close) {
          i++;
          depth--;
          return c === '{' ? dict : items;
        }
        const v = value();
        if (c === '{') {
          ws();
          if (text[i] !== ':' || typeof v !== 'string')
            fail(file, baseOffset + i, `expected ':' after a key`);
          i++;
          dict[v as string] = value();
        } else items.push(v);
        ws();
        if (text[i] === ',') i++;
        else if (text[i] !== close) fail(file, baseOffset + i, `unexpected '${text[i] ?? 'end'}'`);
      }
    }
    if (c === "'" || c === '"') {
      const end = text.indexOf(c, i + 1);
      if (end < 0) fail(file, baseOffset + i, 'unterminated string');
      const s = text.slice(i + 1, end);
      i = end + 1;
      return s;
    }
    const m = /^(True|False|-?\d+L?)/.exec(text.slice(i, i + 32));
    if (!m) return fail(file, baseOffset + i, `unexpected '${text.slice(i, i + 10)}'`);
    i += m[0].length;
    if (m[0] === 'True' || m[0] === 'False') return m[0] === 'True';
    return Number.parseInt(m[0], 10);
  };
  const d = value();
  if (typeof d !== 'object' || Array.isArray(d)) return fail(file, baseOffset, 'is not a dict');
  const { descr, fortran_order: fortran, shape } = d;
  if (typeof descr !== 'string')
    fail(file, baseOffset, `'descr' ${descr === undefined ? 'missing' : 'is not a simple dtype'}`);
  if (typeof fortran !== 'boolean') fail(file, baseOffset, `'fortran_order' missing or not a bool`);
  if (!Array.isArray(shape) || shape.some((n) => typeof n !== 'number' || n < 0)) {
    fail(file, baseOffset, `'shape' missing or not a tuple of non-negative ints`);
  }
  return { descr: descr as string, fortranOrder: fortran as boolean, shape: shape as number[] };
}

const KIND: Record<string, NumericDType> = {
  u1: 'uint8',
  i1: 'int8',
  b1: 'bool',
  u2: 'uint16',
  i2: 'int16',
  u4: 'uint32',
  i4: 'int32',
  u8: 'uint64',
  i8: 'int64',
  f4: 'float32',
  f8: 'float64',
};

/** Maps a descr such as `<f4`, `>i8`, `|u1` to a dtype and whether the payload is big-endian. */
export function dtypeOfDescr(
  descr: string,
  file: string,
  offset: number,
): { dtype: NumericDType; bigEndian: boolean } {
  const order = descr[0];
  const hasOrder = order === '<' || order === '>' || order === '|' || order === '=';
  const dtype = KIND[hasOrder ? descr.slice(1) : descr];
  if (!dtype) {
    throw new InvalidError(`${file}: unsupported .npy dtype '${descr}'`, {
      details: { file, field: 'descr', offset },
    });
  }
  return { dtype, bigEndian: order === '>' && itemSize(dtype) > 1 };
}

const DESCR: Record<NumericDType, string> = {
  uint8: '|u1',
  int8: '|i1',
  bool: '|b1',
  uint16: '<u2',
  int16: '<i2',
  uint32: '<u4',
  int32: '<i4',
  uint64: '<u8',
  int64: '<i8',
  float32: '<f4',
  float64: '<f8',
};

const GROWTH_AXIS_MAX_DIGITS = 21;
const ARRAY_ALIGN = 64;

/** A v1.0 header exactly as NumPy writes it: sorted keys, growth padding, 64-byte alignment. */
export function writeNpyHeader(dtype: NumericDType, shape: readonly number[]): Uint8Array {
  const tuple = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${DESCR[dtype]}', 'fortran_order': False, 'shape': ${tuple}, }`;
  if (shape.length > 0) header += ' '.repeat(GROWTH_AXIS_MAX_DIGITS - String(shape[0]).length);
  const hlen = header.length + 1;
  const padlen = ARRAY_ALIGN - ((6 + 2 + 2 + hlen) % ARRAY_ALIGN);
  const total = 10 + hlen + padlen;
  if (hlen + padlen > 0xffff) {
    throw new InvalidError(`.npy header too long for version 1.0 (${hlen} bytes)`, {
      details: { field: 'shape' },
    });
  }
  const out = new Uint8Array(total);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0]);
  new DataView(out.buffer).setUint16(8, hlen + padlen, true);
  out.set(Buffer.from(header + ' '.repeat(padlen), 'latin1'), 10);
  out[total - 1] = 10;
  return out;
}
