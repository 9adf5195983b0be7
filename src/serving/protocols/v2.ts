/**
 * KServe v2 / Open Inference Protocol bodies: typed tensors `{name, shape, datatype, data}` in and out, the
 * model metadata document, and the datatype names (FP32, INT64, BOOL, …).
 */
import { InvalidError } from '../../errors/index.js';
import { elementBytes, fromBytes, toNumbers } from '../tensor.js';
import type { DType, Signature, Tensor, TensorSpec } from '../types.js';
import { checkBatch, checkNames, checkShape, count, readNested } from './values.js';

export const V2_DATATYPES: Record<DType, string> = {
  float32: 'FP32',
  float64: 'FP64',
  int32: 'INT32',
  int64: 'INT64',
  int8: 'INT8',
  uint8: 'UINT8',
  bool: 'BOOL',
};
const KNOWN = new Set([
  'BOOL',
  'UINT8',
  'UINT16',
  'UINT32',
  'UINT64',
  'INT8',
  'INT16',
  'INT32',
  'INT64',
  'FP16',
  'FP32',
  'FP64',
  'BYTES',
]);

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

interface RawInput {
  name: string;
  shape: number[];
  datatype: string;
  data: unknown;
  /** Binary tensor extension: this input's raw little-endian bytes, after the JSON header. */
  bytes?: Uint8Array;
}

export interface V2Request {
  id: string | undefined;
  /** Output names asked for; all when undefined. */
  outputs: string[] | undefined;
  /** Output names to answer as raw bytes after the JSON header (binary tensor extension); `*`: all. */
  binaryOutputs: Set<string>;
  build: (signature: Signature) => Record<string, Tensor>;
}

/**
 * Checks the body's outline now; tensors are built and checked against the signature later. `binary` holds the
 * bytes after the JSON header of a binary-extension request (`Inference-Header-Content-Length`).
 */
export function parseV2(body: unknown, binary?: Uint8Array): V2Request {
  if (!isObject(body) || !Array.isArray(body.inputs) || body.inputs.length === 0) {
    throw new InvalidError('inputs: expected a non-empty array of {name, shape, datatype, data}', {
      details: { field: 'inputs' },
    });
  }
  let at = 0;
  const raw: RawInput[] = body.inputs.map((t: unknown, i: number) => {
    const field = `inputs[${i}]`;
    if (!isObject(t) || typeof t.name !== 'string') {
      throw new InvalidError(`${field}.name: expected a string`, { details: { field: `${field}.name` } });
    }
    if (!Array.isArray(t.shape) || !t.shape.every((d) => Number.isInteger(d) && (d as number) >= 0)) {
      throw new InvalidError(`${field}.shape: expected an array of non-negative integers`, {
        details: { field: `${field}.shape`, input: t.name },
      });
    }
    if (typeof t.datatype !== 'string' || !KNOWN.has(t.datatype)) {
      throw new InvalidError(`${field}.datatype: expected one of ${[...KNOWN].join(', ')}`, {
        details: { field: `${field}.datatype`, input: t.name },
      });
    }
    const size = isObject(t.parameters) ? t.parameters.binary_data_size : undefined;
    if (size !== undefined) {
      if (
        !Number.isInteger(size) ||
        (size as number) < 0 ||
        !binary ||
        at + (size as number) > binary.length
      ) {
        throw new InvalidError(
          `${field}.parameters.binary_data_size: ${String(size)} bytes do not fit the ${binary?.length ?? 0} binary bytes after the JSON header`,
          { details: { field: `${field}.parameters.binary_data_size`, input: t.name } },
        );
      }
      const bytes = binary.subarray(at, at + (size as number));
      at += size as number;
      return { name: t.name, shape: t.shape as number[], datatype: t.datatype, data: undefined, bytes };
    }
    if (!('data' in t))
      throw new InvalidError(`${field}.data: missing`, { details: { field: `${field}.data` } });
    return { name: t.name, shape: t.shape as number[], datatype: t.datatype, data: t.data };
  });
  if (binary && at !== binary.length) {
    throw new InvalidError(
      `body: ${binary.length - at} binary bytes after the JSON header belong to no input`,
      {
        details: { field: 'body' },
      },
    );
  }
  let outputs: string[] | undefined;
  if (body.outputs !== undefined) {
    if (
      !Array.isArray(body.outputs) ||
      !body.outputs.every((o) => isObject(o) && typeof o.name === 'string')
    ) {
      throw new InvalidError('outputs: expected an array of {name}', { details: { field: 'outputs' } });
    }
    outputs = body.outputs.map((o) => (o as { name: string }).name);
  }
  const binaryOutputs = new Set<string>();
  const allBinary = isObject(body.parameters) && body.parameters.binary_data_output === true;
  if (allBinary) binaryOutputs.add('*');
  for (const o of Array.isArray(body.outputs) ? body.outputs : []) {
    const p = (o as { parameters?: { binary_data?: unknown } }).parameters;
    if (p?.binary_data === true) binaryOutputs.add((o as { name: string }).name);
  }
  const id = typeof body.id === 'string' ? body.id : undefined;
  return { id, outputs, binaryOutputs, build: (sig) => build(sig, raw) };
}

function build(sig: Signature, raw: RawInput[]): Record<string, Tensor> {
  checkNames(
    raw.map((r) => r.name),
    sig.inputs,
    'inputs',
  );
  const inputs: Record<string, Tensor> = {};
  raw.forEach((r, i) => {
    const field = `inputs[${i}]`;
    const spec = sig.inputs.find((s) => s.name === r.name)!;
    const expected = V2_DATATYPES[spec.dtype];
    if (r.datatype !== expected) {
      throw new InvalidError(`${field}.datatype: input ${r.name} is ${expected}, got ${r.datatype}`, {
        details: { field: `${field}.datatype`, input: r.name, datatype: r.datatype, expected },
      });
    }
    checkShape(spec, r.shape, `${field}.shape`);
    const { data } = r.bytes
      ? checkedBytes(r.bytes, spec.dtype, r.shape, field)
      : readNested(r.data, spec.dtype, `${field}.data`);
    if (data.length !== count(r.shape)) {
      throw new InvalidError(
        `${field}.data: ${data.length} elements for shape [${r.shape.join(', ')}], which holds ${count(r.shape)}`,
        {
          details: { field: `${field}.data`, input: r.name, elements: data.length, expected: count(r.shape) },
        },
      );
    }
    inputs[r.name] = { dtype: spec.dtype, shape: r.shape, data };
  });
  checkBatch(inputs, 'inputs');
  return inputs;
}

/** Raw little-endian bytes → a typed array, once their length is checked against the shape. */
function checkedBytes(
  bytes: Uint8Array,
  dtype: DType,
  shape: number[],
  field: string,
): { data: Tensor['data'] } {
  const expected = count(shape) * elementBytes(dtype);
  if (bytes.length !== expected) {
    throw new InvalidError(
      `${field}.parameters.binary_data_size: ${bytes.length} bytes for shape [${shape.join(', ')}] of ${V2_DATATYPES[dtype]}, which needs ${expected}`,
      { details: { field: `${field}.parameters.binary_data_size`, expected } },
    );
  }
  return { data: fromBytes(dtype, bytes) };
}

/** Checks requested output names before any runtime call. */
export function checkOutputs(requested: string[] | undefined, sig: Signature): void {
  for (const [i, name] of (requested ?? []).entries()) {
    if (!sig.outputs.some((o) => o.name === name)) {
      throw new InvalidError(
        `outputs[${i}].name: unknown output ${JSON.stringify(name)}; the model's outputs are ${sig.outputs.map((o) => o.name).join(', ')}`,
        { details: { field: `outputs[${i}].name`, output: name, expected: sig.outputs.map((o) => o.name) } },
      );
    }
  }
}

/** The response document, and the raw bytes to append after it for outputs asked for in binary. */
export function formatV2(
  model: string,
  generation: number,
  req: V2Request,
  signature: Signature,
  outputs: Record<string, Tensor>,
): { json: Record<string, unknown>; binary: Uint8Array[] } {
  const wanted = signature.outputs.filter((o) => !req.outputs || req.outputs.includes(o.name));
  const binary: Uint8Array[] = [];
  const json = {
    model_name: model,
    model_version: String(generation),
    ...(req.id !== undefined ? { id: req.id } : {}),
    outputs: wanted.map((o) => {
      const t = outputs[o.name]!;
      const head = { name: o.name, datatype: V2_DATATYPES[t.dtype], shape: t.shape };
      if (req.binaryOutputs.has(o.name) || req.binaryOutputs.has('*')) {
        const bytes = new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength);
        binary.push(bytes);
        return { ...head, parameters: { binary_data_size: bytes.byteLength } };
      }
      return { ...head, data: toNumbers(t) };
    }),
  };
  return { json, binary };
}

const meta = (s: TensorSpec) => ({
  name: s.name,
  datatype: V2_DATATYPES[s.dtype],
  shape: s.shape.map((d) => d ?? -1),
});

export function metadataV2(
  model: string,
  generation: number,
  platform: string,
  signature: Signature,
): Record<string, unknown> {
  return {
    name: model,
    versions: [String(generation)],
    platform,
    inputs: signature.inputs.map(meta),
    outputs: signature.outputs.map(meta),
  };
}
