/** TF.js generations (layers or graph model.json + shards) on the wasm backend, set up once per process. */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import { InvalidError } from '../../errors/index.js';
import type {
  DType,
  GenerationFiles,
  ModelRuntime,
  Signature,
  Tensor,
  TensorArray,
  TensorSpec,
} from '../types.js';

let backend: Promise<void> | undefined;

/** Selects the wasm backend once; its .wasm files come from the installed package, never a CDN. */
export function wasmBackend(): Promise<void> {
  backend ??= (async () => {
    const require = createRequire(import.meta.url);
    const dist = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
    setWasmPaths(`${dist}/`);
    if (!(await tf.setBackend('wasm'))) throw new Error('the TF.js wasm backend failed to initialise');
    await tf.ready();
  })();
  return backend;
}

const TF_DTYPE: Partial<Record<string, DType>> = { float32: 'float32', int32: 'int32', bool: 'bool' };

type AnyModel = tf.LayersModel | tf.GraphModel;

interface ModelJson {
  format?: string;
  modelTopology: unknown;
  weightsManifest: { paths: string[]; weights: tf.io.WeightsManifestEntry[] }[];
  [k: string]: unknown;
}

/** An IOHandler reading model.json and its shards from the generation's files, in manifest order. */
function handlerFor(gen: GenerationFiles): { handler: tf.io.IOHandler; graph: boolean } {
  const json = JSON.parse(Buffer.from(gen.files[gen.primary]!).toString('utf8')) as ModelJson;
  const specs: tf.io.WeightsManifestEntry[] = [];
  const shards: Uint8Array[] = [];
  for (const group of json.weightsManifest ?? []) {
    specs.push(...group.weights);
    for (const p of group.paths) {
      const name = p.split('/').pop()!;
      const bytes = gen.files[name];
      if (!bytes) {
        throw new InvalidError(
          `generation ${gen.generation} of ${gen.model}: model.json names ${name}, which it lacks`,
          {
            details: { model: gen.model, generation: gen.generation, file: name },
          },
        );
      }
      shards.push(bytes);
    }
  }
  const weightData = Buffer.concat(shards);
  const artifacts: tf.io.ModelArtifacts = {
    modelTopology: json.modelTopology as tf.io.ModelArtifacts['modelTopology'],
    weightSpecs: specs,
    weightData: weightData.buffer.slice(weightData.byteOffset, weightData.byteOffset + weightData.byteLength),
    format: json.format as string,
  };
  return { handler: { load: async () => artifacts }, graph: json.format === 'graph-model' };
}

function specOf(
  name: string,
  dtype: string | undefined,
  shape: readonly (number | null | undefined)[] | undefined,
): TensorSpec {
  return {
    name,
    dtype: TF_DTYPE[dtype ?? 'float32'] ?? 'float32',
    shape: (shape ?? []).map((d) => (typeof d === 'number' && d >= 0 ? d : null)),
  };
}

export class TfjsRuntime implements ModelRuntime {
  readonly kind = 'tfjs';
  readonly signature: Signature;
  readonly #model: AnyModel;
  #disposed = false;

  private constructor(model: AnyModel, signature: Signature) {
    this.#model = model;
    this.signature = signature;
  }

  static async load(gen: GenerationFiles): Promise<TfjsRuntime> {
    await wasmBackend();
    const { handler, graph } = handlerFor(gen);
    const model: AnyModel = graph ? await tf.loadGraphModel(handler) : await tf.loadLayersModel(handler);
    const signature: Signature = {
      inputs: model.inputs.map((i) => specOf(i.name, i.dtype, i.shape)),
      outputs: model.outputs.map((o) => specOf(o.name, o.dtype, o.shape)),
    };
    return new TfjsRuntime(model, signature);
  }

  async infer(inputs: Record<string, Tensor>): Promise<Record<string, Tensor>> {
    const xs = this.signature.inputs.map((spec) => {
      const t = inputs[spec.name]!;
      const data =
        t.dtype === 'float32' || t.dtype === 'int32' ? t.data : Float32Array.from(t.data as Uint8Array);
      return tf.tensor(
        data as Float32Array,
        t.shape,
        spec.dtype === 'bool' ? 'bool' : (spec.dtype as 'float32' | 'int32'),
      );
    });
    let ys: tf.Tensor[] = [];
    try {
      const result =
        this.#model instanceof tf.GraphModel
          ? this.#model.predict(Object.fromEntries(this.signature.inputs.map((s, i) => [s.name, xs[i]!])))
          : this.#model.predict(xs.length === 1 ? xs[0]! : xs);
      ys = Array.isArray(result) ? result : result instanceof tf.Tensor ? [result] : Object.values(result);
      const out: Record<string, Tensor> = {};
      for (const [i, spec] of this.signature.outputs.entries()) {
        const y = ys[i]!;
        const data = (await y.data()) as TensorArray;
        out[spec.name] = { dtype: spec.dtype, shape: [...y.shape], data };
      }
      return out;
    } finally {
      for (const x of xs) x.dispose();
      for (const y of ys) y.dispose();
    }
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    this.#model.dispose();
  }
}
