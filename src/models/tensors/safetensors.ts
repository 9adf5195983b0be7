/**
 * safetensors: 8-byte little-endian header length N, N bytes of JSON `{name: {dtype, shape, data_offsets}}`
 * (offsets relative to the end of the header; `__metadata__` is free text), then the data.
 */
import { type DType, lookup } from './dtype.js';
import { type TensorEntry, weightsError } from './entry.js';

const DTYPES: Record<string, DType> = {
  F64: 'float64',
  F32: 'float32',
  F16: 'float16',
  BF16: 'bfloat16',
  I64: 'int64',
  U64: 'uint64',
  I32: 'int32',
  U32: 'uint32',
  I16: 'int16',
  U16: 'uint16',
  I8: 'int8',
  U8: 'uint8',
  BOOL: 'bool',
};

/** The format's own cap on the header (100 MB). */
export const MAX_SAFETENSORS_HEADER = 100_000_000;

/** How many leading bytes of the file the header needs: 8 until the length is known, then 8 + N. */
export function safetensorsHeadBytes(file: string, head: Uint8Array): number {
  if (head.byteLength < 8) return 8;
  const n = Buffer.from(head.buffer, head.byteOffset, 8).readBigUInt64LE(0);
  if (n > BigInt(MAX_SAFETENSORS_HEADER)) {
    throw weightsError(file, `safetensors header length ${n} is over ${MAX_SAFETENSORS_HEADER} bytes`);
  }
  return 8 + Number(n);
}

/** Parses the header from the file's first bytes (at least `safetensorsHeadBytes`). */
export function safetensorsEntries(file: string, head: Uint8Array, fileSize: number): TensorEntry[] {
  if (fileSize < 8 || head.byteLength < 8) throw weightsError(file, 'too short for a safetensors header');
  const need = safetensorsHeadBytes(file, head);
  if (need > fileSize || head.byteLength < need) {
    throw weightsError(file, `safetensors header says ${need - 8} bytes, the file is ${fileSize}`);
  }
  let header: unknown;
  try {
    header = JSON.parse(Buffer.from(head.buffer, head.byteOffset + 8, need - 8).toString('utf8'));
  } catch (cause) {
    throw weightsError(file, `safetensors header is not JSON (${(cause as Error).message})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header)) {
    throw weightsError(file, 'safetensors header must be a JSON object');
  }
  const entries: TensorEntry[] = [];
  for (const [name, spec] of Object.entries(header)) {
    if (name === '__metadata__') continue;
    const s = spec as { dtype?: unknown; shape?: unknown; data_offsets?: unknown };
    const dtype = lookup(DTYPES, s?.dtype);
    if (!dtype)
      throw weightsError(file, `tensor ${name}: unsupported dtype ${JSON.stringify(s?.dtype)}`, {
        tensor: name,
      });
    const offsets = s.data_offsets;
    if (!Array.isArray(s.shape) || !Array.isArray(offsets) || offsets.length !== 2) {
      throw weightsError(file, `tensor ${name}: needs shape and data_offsets [begin, end]`, { tensor: name });
    }
    entries.push({
      name,
      dtype,
      shape: s.shape as number[],
      segments: [{ file, start: need + Number(offsets[0]), end: need + Number(offsets[1]) }],
    });
  }
  return entries;
}
