/** Validation of model names, types, file names and metadata; every failure names its field. */
import { InvalidError } from '../errors/index.js';
import { WEIGHT_FORMATS, type WeightFormat } from './types.js';

const MODEL_NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;
const MODEL_TYPE = /^[a-z0-9][a-z0-9._-]*(\/[a-z0-9][a-z0-9._-]*)*$/;
/** File names inside a generation: one path segment, no leading dot (so no `..`). */
const FILE_NAME = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,127}$/;

const invalid = (field: string, message: string, value: unknown): InvalidError =>
  new InvalidError(`${field}: ${message}`, { details: { field, value } });

export function checkModelName(name: unknown, field = 'name'): string {
  // `..` is refused because store keys refuse it.
  if (typeof name !== 'string' || !MODEL_NAME.test(name) || name.includes('..')) {
    throw invalid(field, 'must be 1–64 of [a-z0-9._-], starting with a letter or digit, no ".."', name);
  }
  return name;
}

export function checkModelType(type: unknown, field = 'type'): string {
  if (typeof type !== 'string' || type.length > 200 || !MODEL_TYPE.test(type) || type.includes('..')) {
    throw invalid(field, 'must look like "classifier/mlp": segments of [a-z0-9._-] joined by "/"', type);
  }
  return type;
}

export function checkFormat(format: unknown, field = 'format'): WeightFormat {
  if (!WEIGHT_FORMATS.includes(format as WeightFormat)) {
    throw invalid(field, `must be one of ${WEIGHT_FORMATS.join(', ')}`, format);
  }
  return format as WeightFormat;
}

export function checkFileName(name: unknown, field = 'file'): string {
  if (typeof name !== 'string' || !FILE_NAME.test(name)) {
    throw invalid(field, 'must be 1–128 of [A-Za-z0-9._-], no "/" and no leading "."', name);
  }
  return name;
}

const IDEMPOTENCY_KEY = /^[A-Za-z0-9_.:-]{1,128}$/;
export const IDEMPOTENCY_HEADER = 'Idempotency-Key';

/** A client's key for one save, so a retry of a save whose answer was lost makes no second generation. */
export function checkIdempotencyKey(key: unknown, field = IDEMPOTENCY_HEADER): string {
  if (typeof key !== 'string' || !IDEMPOTENCY_KEY.test(key)) {
    throw invalid(field, 'must be 1–128 of [A-Za-z0-9_.:-]', key);
  }
  return key;
}

/** A generation number: a positive safe integer. */
export function checkGeneration(value: unknown, field = 'generation'): number {
  const n = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof n !== 'number' || !Number.isSafeInteger(n) || n < 1) {
    throw invalid(field, 'must be a positive integer', value);
  }
  return n;
}
