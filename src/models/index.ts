/** The model registry: types → models → immutable generations, stages and their history, retention, weight diffs. */
export { BUNDLE_MAGIC, bundleTrailer, readBundleIndex } from './bundle.js';
export type { GenerationDiff } from './compare.js';
export { checkFileName, checkFormat, checkGeneration, checkModelName, checkModelType } from './names.js';
export {
  type GenerationRef,
  ModelRegistry,
  type RegistryOptions,
  type StageResult,
} from './registry.js';
export { toPrune } from './retention.js';
export { applyStage, replayStages, type StageChange, stageOf } from './stages.js';
export type { DiffSummary, TensorDiff, WeightsDiff } from './tensors/index.js';
export * from './types.js';
export { DEFAULT_FILE_NAMES, MAX_JSON_BYTES, WeightsUpload } from './upload.js';
