/** Model serving: ONNX and TF.js runtimes, dynamic batching, hot swap on promotion, canary, two protocols. */
export { Batcher } from './batcher.js';
export type { Protocol, ServingMetrics } from './metrics.js';
export type { ServedModel } from './model.js';
export * from './protocols/index.js';
export { loadRuntime, OnnxRuntime, type RuntimeLoader, wasmBackend } from './runtime/index.js';
export {
  checkConfig,
  type InferResult,
  type InputBuilder,
  ModelServer,
  type ModelServerOptions,
} from './server.js';
export { type ModelSource, RegistrySource, type Stages } from './source.js';
export * from './types.js';
