/**
 * TF-Serving REST bodies: `{"instances": [...]}` (row format: one value, or one object of named inputs, per row)
 * → `{"predictions": [...]}`, and `{"inputs": ...}` (columnar: a batched value, or an object of them) →
 * `{"outputs": ...}`, as TF-Serving answers them. Plus its status and metadata documents.
 */
import { InvalidError } from '../../errors/index.js';
import { nest, sliceRows, toNumbers } from '../tensor.js';
import type { ModelStatus, Signature, Tensor, TensorSpec } from '../types.js';
import { checkBatch, checkNames, toTensor } from './values.js';

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

export interface V1Request {
  format: 'row' | 'columnar';
  build: (signature: Signature) => Record<string, Tensor>;
}

/** Checks the body's outline now (before any model is touched); the tensors are built against the signature. */
export function parseV1(body: unknown): V1Request {
  if (!isObject(body) || 'instances' in body === 'inputs' in body) {
    throw new InvalidError(
      'body: expected a JSON object with either "instances" (rows) or "inputs" (columns)',
      {
        details: { field: 'body' },
      },
    );
  }
  if ('instances' in body) {
    const instances = body.instances;
    if (!Array.isArray(instances) || instances.length === 0) {
      throw new InvalidError('instances: expected a non-empty array, one element per row', {
        details: { field: 'instances' },
      });
    }
    return { format: 'row', build: (sig) => fromRows(sig, instances) };
  }
  return { format: 'columnar', build: (sig) => fromColumns(sig, body.inputs) };
}

function fromRows(sig: Signature, instances: unknown[]): Record<string, Tensor> {
  const named = sig.inputs.length > 1 || instances.every(isObject);
  const inputs: Record<string, Tensor> = {};
  if (!named) {
    const spec = sig.inputs[0]!;
    inputs[spec.name] = toTensor(spec, instances, 'instances');
    return inputs;
  }
  instances.forEach((row, i) => {
    if (!isObject(row)) {
      throw new InvalidError(`instances[${i}]: expected an object of named inputs (${names(sig.inputs)})`, {
        details: { field: `instances[${i}]`, expected: sig.inputs.map((s) => s.name) },
      });
    }
    checkNames(Object.keys(row), sig.inputs, `instances[${i}]`);
  });
  for (const spec of sig.inputs) {
    inputs[spec.name] = toTensor(
      spec,
      instances.map((row) => (row as Record<string, unknown>)[spec.name]),
      `instances[*].${spec.name}`,
    );
  }
  return inputs;
}

function fromColumns(sig: Signature, value: unknown): Record<string, Tensor> {
  const inputs: Record<string, Tensor> = {};
  if (!isObject(value)) {
    if (sig.inputs.length > 1) {
      throw new InvalidError(
        `inputs: the model has several inputs; send an object with ${names(sig.inputs)}`,
        {
          details: { field: 'inputs', expected: sig.inputs.map((s) => s.name) },
        },
      );
    }
    const spec = sig.inputs[0]!;
    inputs[spec.name] = toTensor(spec, value, 'inputs');
    return inputs;
  }
  checkNames(Object.keys(value), sig.inputs, 'inputs');
  for (const spec of sig.inputs) inputs[spec.name] = toTensor(spec, value[spec.name], `inputs.${spec.name}`);
  checkBatch(inputs, 'inputs');
  return inputs;
}

const names = (specs: TensorSpec[]) => specs.map((s) => s.name).join(', ');

export function formatV1(
  format: V1Request['format'],
  signature: Signature,
  outputs: Record<string, Tensor>,
): Record<string, unknown> {
  const specs = signature.outputs;
  const value = (t: Tensor) => nest(toNumbers(t), t.shape);
  if (format === 'columnar') {
    if (specs.length === 1) return { outputs: value(outputs[specs[0]!.name]!) };
    return { outputs: Object.fromEntries(specs.map((s) => [s.name, value(outputs[s.name]!)])) };
  }
  const rows = outputs[specs[0]!.name]!.shape[0] ?? 1;
  const predictions: unknown[] = [];
  for (let r = 0; r < rows; r++) {
    const row = (t: Tensor) => {
      const one = sliceRows(t, r, 1);
      return nest(toNumbers(one), one.shape.slice(1));
    };
    predictions.push(
      specs.length === 1
        ? row(outputs[specs[0]!.name]!)
        : Object.fromEntries(specs.map((s) => [s.name, row(outputs[s.name]!)])),
    );
  }
  return { predictions };
}

const TF_DTYPES: Record<string, string> = {
  float32: 'DT_FLOAT',
  float64: 'DT_DOUBLE',
  int32: 'DT_INT32',
  int64: 'DT_INT64',
  int8: 'DT_INT8',
  uint8: 'DT_UINT8',
  bool: 'DT_BOOL',
};

const tensorInfo = (s: TensorSpec) => ({
  dtype: TF_DTYPES[s.dtype],
  tensor_shape: { dim: s.shape.map((d) => ({ size: String(d ?? -1), name: '' })), unknown_rank: false },
  name: s.name,
});

/** `GET /v1/models/{name}/metadata`: the signature as TF-Serving's SignatureDef JSON. */
export function metadataV1(model: string, generation: number, signature: Signature): Record<string, unknown> {
  return {
    model_spec: { name: model, signature_name: '', version: String(generation) },
    metadata: {
      signature_def: {
        signature_def: {
          serving_default: {
            inputs: Object.fromEntries(signature.inputs.map((s) => [s.name, tensorInfo(s)])),
            outputs: Object.fromEntries(signature.outputs.map((s) => [s.name, tensorInfo(s)])),
            method_name: 'tensorflow/serving/predict',
          },
        },
      },
    },
  };
}

const TF_STATE = { loading: 'LOADING', ready: 'AVAILABLE', failed: 'END', unloading: 'UNLOADING' } as const;

/** `GET /v1/models/{name}`: one entry per loaded generation; a failed load carries its reason. */
export function statusV1(status: ModelStatus): Record<string, unknown> {
  return {
    model_version_status: status.generations.map((g) => ({
      version: String(g.generation),
      state: TF_STATE[g.state],
      status: g.error
        ? { error_code: 'UNAVAILABLE', error_message: g.error }
        : { error_code: 'OK', error_message: '' },
      swarmlab: { role: g.role, runtime: g.runtime },
    })),
  };
}
