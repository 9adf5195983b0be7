/** JSON values ↔ tensors: nested arrays flattened with their shape inferred, numbers checked for the dtype. */
import { InvalidError } from '../../errors/index.js';
import { allocate, elements } from '../tensor.js';
import type { DType, Tensor, TensorSpec } from '../types.js';

const fail = (message: string, details: Record<string, unknown>) => new InvalidError(message, { details });

/** Shape of a nested array: the lengths down its first elements (rectangularity is checked while reading). */
function probe(value: unknown): number[] {
  const shape: number[] = [];
  let v: unknown = value;
  while (Array.isArray(v)) {
    shape.push(v.length);
    v = v[0];
  }
  return shape;
}

const INT_RANGE: Partial<Record<DType, [number, number]>> = {
  int8: [-128, 127],
  uint8: [0, 255],
  int32: [-(2 ** 31), 2 ** 31 - 1],
  int64: [Number.MIN_SAFE_INTEGER, Number.MAX_SAFE_INTEGER],
};

/** The element index as a path into the nested value (only built for error messages). */
function pathOf(shape: readonly number[], index: number, field: string): string {
  let rest = index;
  const parts: number[] = [];
  for (let d = shape.length - 1; d >= 0; d--) {
    parts.unshift(rest % shape[d]!);
    rest = Math.floor(rest / shape[d]!);
  }
  return `${field}${parts.map((p) => `[${p}]`).join('')}`;
}

/**
 * A nested (or flat) JSON array read straight into a typed array of `dtype`, in one pass: its shape, and a 400
 * naming the element for a ragged row or a value that is not a `dtype`.
 */
export function readNested(
  value: unknown,
  dtype: DType,
  field: string,
): { shape: number[]; data: Tensor['data'] } {
  const shape = probe(value);
  const data = allocate(dtype, elements(shape));
  const range = INT_RANGE[dtype];
  const big = data instanceof BigInt64Array;
  let at = 0;
  const leaf = (v: unknown) => {
    if (dtype === 'bool') {
      if (typeof v !== 'boolean' && v !== 0 && v !== 1) {
        const where = pathOf(shape, at, field);
        throw fail(`${where}: expected a bool (true/false), got ${JSON.stringify(v)}`, { field: where });
      }
      data[at++] = v === true || v === 1 ? 1 : 0;
      return;
    }
    if (
      typeof v !== 'number' ||
      !Number.isFinite(v) ||
      (range && (!Number.isInteger(v) || v < range[0] || v > range[1]))
    ) {
      const where = pathOf(shape, at, field);
      throw fail(`${where}: expected a ${dtype} number, got ${JSON.stringify(v)}`, {
        field: where,
        expected: dtype,
      });
    }
    if (big) (data as BigInt64Array)[at++] = BigInt(v);
    else (data as Float32Array)[at++] = v;
  };
  const walk = (v: unknown, depth: number) => {
    const n = shape[depth];
    if (n === undefined) {
      if (Array.isArray(v)) throw fail(`${field}: nested deeper in some rows than in the first`, { field });
      leaf(v);
      return;
    }
    if (!Array.isArray(v) || v.length !== n) {
      throw fail(`${field}: ragged array; every row needs ${n} elements at depth ${depth}`, { field, depth });
    }
    if (depth === shape.length - 1) for (let i = 0; i < n; i++) leaf(v[i]);
    else for (let i = 0; i < n; i++) walk(v[i], depth + 1);
  };
  walk(value, 0);
  return { shape, data };
}

const shapeText = (shape: readonly (number | null)[]) =>
  `[${shape.map((d) => (d === null ? -1 : d)).join(', ')}]`;

/** Checks a tensor against the model's input spec: rank and every fixed dimension. */
export function checkShape(spec: TensorSpec, shape: readonly number[], field: string): void {
  const ok = shape.length === spec.shape.length && spec.shape.every((d, i) => d === null || d === shape[i]);
  if (!ok) {
    throw fail(
      `${field}: input ${spec.name} has shape ${shapeText(shape)}; the model expects ${shapeText(spec.shape)} (-1: any size)`,
      { field, input: spec.name, shape, expected: spec.shape.map((d) => d ?? -1) },
    );
  }
}

/** Every input of the signature present, no unknown one, and all with the same batch size. */
export function checkNames(names: readonly string[], specs: readonly TensorSpec[], field: string): void {
  const expected = specs.map((s) => s.name);
  for (const n of names) {
    if (!expected.includes(n)) {
      throw fail(
        `${field}: unknown input ${JSON.stringify(n)}; the model's inputs are ${expected.join(', ')}`,
        {
          field,
          input: n,
          expected,
        },
      );
    }
  }
  for (const e of expected) {
    if (!names.includes(e)) {
      throw fail(`${field}: input ${e} is missing; the model's inputs are ${expected.join(', ')}`, {
        field,
        input: e,
        expected,
      });
    }
  }
}

export function checkBatch(inputs: Record<string, Tensor>, field: string): void {
  const rows = new Set(Object.values(inputs).map((t) => t.shape[0]));
  if (rows.size > 1) {
    throw fail(`${field}: inputs disagree on the batch size (${[...rows].join(' vs ')})`, { field });
  }
}

export function toTensor(spec: TensorSpec, value: unknown, field: string): Tensor {
  const { shape, data } = readNested(value, spec.dtype, field);
  checkShape(spec, shape, field);
  return { dtype: spec.dtype, shape, data };
}

export const count = elements;
