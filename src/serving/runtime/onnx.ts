/**
 * ONNX generations on onnxruntime-node's bundled CPU library. Its `run` is synchronous on the event loop's thread
 * (deferred by one setImmediate): a process makes one runtime call at a time, so more cores mean more processes
 * (`swarmlab serve --workers`).
 */
import * as ort from 'onnxruntime-node';
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
import { DTYPES } from '../types.js';

export interface OnnxOptions {
  /** Threads one `run` may use (default 1: batches run side by side instead). */
  intraOpThreads?: number;
}

const ORT_DTYPE: Partial<Record<string, DType>> = {
  float32: 'float32',
  float64: 'float64',
  int32: 'int32',
  int64: 'int64',
  int8: 'int8',
  uint8: 'uint8',
  bool: 'bool',
};

function specOf(meta: ort.InferenceSession.ValueMetadata, model: string): TensorSpec {
  if (!meta.isTensor) {
    throw new InvalidError(
      `model ${model}: ${meta.name} is not a tensor; only tensor inputs and outputs are served`,
      {
        details: { model, tensor: meta.name },
      },
    );
  }
  const dtype = ORT_DTYPE[meta.type];
  if (!dtype) {
    throw new InvalidError(
      `model ${model}: ${meta.name} has type ${meta.type}; served types are ${DTYPES.join(', ')}`,
      {
        details: { model, tensor: meta.name, type: meta.type },
      },
    );
  }
  return {
    name: meta.name,
    dtype,
    shape: meta.shape.map((d) => (typeof d === 'number' && d >= 0 ? d : null)),
  };
}

export class OnnxRuntime implements ModelRuntime {
  readonly kind = 'onnx';
  readonly signature: Signature;
  readonly #session: ort.InferenceSession;
  #disposed = false;

  private constructor(session: ort.InferenceSession, signature: Signature) {
    this.#session = session;
    this.signature = signature;
  }

  static async load(gen: GenerationFiles, options: OnnxOptions = {}): Promise<OnnxRuntime> {
    const bytes = gen.files[gen.primary];
    if (!bytes) throw new InvalidError(`generation ${gen.generation} of ${gen.model} has no ${gen.primary}`);
    // One thread by default: the same core parses and answers HTTP between runtime calls, and small models gain
    // little from more; big ones may ask for more (intraOpThreads).
    const session = await ort.InferenceSession.create(bytes, {
      intraOpNumThreads: options.intraOpThreads ?? 1,
      interOpNumThreads: 1,
      graphOptimizationLevel: 'all',
    });
    try {
      const signature = {
        inputs: session.inputMetadata.map((m) => specOf(m, gen.model)),
        outputs: session.outputMetadata.map((m) => specOf(m, gen.model)),
      };
      return new OnnxRuntime(session, signature);
    } catch (err) {
      await session.release();
      throw err;
    }
  }

  async infer(inputs: Record<string, Tensor>): Promise<Record<string, Tensor>> {
    const feeds: Record<string, ort.Tensor> = {};
    for (const [name, t] of Object.entries(inputs)) {
      feeds[name] =
        t.dtype === 'bool'
          ? new ort.Tensor('bool', t.data as Uint8Array, t.shape)
          : new ort.Tensor(t.dtype, t.data as Float32Array, t.shape);
    }
    const results = await this.#session.run(feeds);
    const out: Record<string, Tensor> = {};
    for (const spec of this.signature.outputs) {
      const r = results[spec.name]!;
      out[spec.name] = { dtype: spec.dtype, shape: [...r.dims], data: r.data as TensorArray };
    }
    return out;
  }

  async dispose(): Promise<void> {
    if (this.#disposed) return;
    this.#disposed = true;
    await this.#session.release();
  }
}
