/** Serving's shared types: tensors, signatures, the ModelRuntime contract and per-model configuration. */

/** Element types a served tensor may have (the KServe v2 names map onto these, see protocols/dtypes.ts). */
export const DTYPES = ['float32', 'float64', 'int32', 'int64', 'int8', 'uint8', 'bool'] as const;
export type DType = (typeof DTYPES)[number];

export type TensorArray = Float32Array | Float64Array | Int32Array | BigInt64Array | Int8Array | Uint8Array;

/** A dense row-major tensor; `bool` is held as 0/1 bytes. */
export interface Tensor {
  dtype: DType;
  shape: number[];
  data: TensorArray;
}

/** One input or output of a model: `null` marks a dimension of any size (the first is the batch, usually). */
export interface TensorSpec {
  name: string;
  dtype: DType;
  shape: (number | null)[];
}

export interface Signature {
  inputs: TensorSpec[];
  outputs: TensorSpec[];
}

/** A loaded model generation: runs a batch of named inputs to named outputs. One per (model, generation). */
export interface ModelRuntime {
  readonly kind: RuntimeKind;
  readonly signature: Signature;
  /** Inputs keyed by signature name, all with the same first (batch) dimension when the model has one. */
  infer(inputs: Record<string, Tensor>): Promise<Record<string, Tensor>>;
  /** Frees native memory; idempotent. The caller drains in-flight calls first. */
  dispose(): Promise<void>;
}

export type RuntimeKind = 'onnx' | 'tfjs';

/** A generation's files as the runtime loads them (name → bytes), with what the registry says about it. */
export interface GenerationFiles {
  model: string;
  generation: number;
  format: string;
  primary: string;
  files: Record<string, Uint8Array>;
}

/** Per-model serving settings (`PUT /api/v1/serving/{model}`). */
export interface ServingConfig {
  /** Merge concurrent requests into one runtime call. */
  batching: boolean;
  /** Most rows one runtime call takes. */
  maxBatchSize: number;
  /** Longest a request waits for others to join its batch, ms. */
  maxDelayMs: number;
  /**
   * Runtime calls handed over at once for one generation. onnxruntime-node runs them one after another on the
   * event loop's thread, so past 2 (one running, the next ready) this only serves runtimes that run elsewhere.
   */
  maxInflight: number;
  /** Share of unpinned requests (0-100) answered by the staging generation, when there is one. */
  canaryPercent: number;
}

export const DEFAULT_SERVING: ServingConfig = {
  batching: true,
  maxBatchSize: 32,
  maxDelayMs: 2,
  maxInflight: 2,
  canaryPercent: 0,
};

/** How a request names the generation it wants. */
export type Selector =
  | { kind: 'default' }
  | { kind: 'version'; generation: number }
  | { kind: 'label'; stage: 'production' | 'staging' };

/** One generation's load state as the status endpoints show it. */
export type LoadState = 'loading' | 'ready' | 'failed' | 'unloading';

export interface GenerationStatus {
  generation: number;
  role: 'production' | 'staging' | 'pinned';
  state: LoadState;
  error?: string;
  runtime?: RuntimeKind;
}

export interface ModelStatus {
  model: string;
  production: number | null;
  staging: number | null;
  generations: GenerationStatus[];
  config: ServingConfig;
}
