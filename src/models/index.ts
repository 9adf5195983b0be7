/** The model registry: types → models → immutable generations, stages and their history, retention, weight diffs. */
export { BUNDLE_MAGIC, bundleTrailer, readBundleIndex } from './bundle.js';
export { migrateModelRefs } from './migrate.js';
export {
  checkFileName,
  checkFormat,
  checkGeneration,
  checkIdempotencyKey,
  checkModelName,
  checkModelType,
  IDEMPOTENCY_HEADER,
} from './names.js';
export {
  type GenerationRef,
  ModelRegistry,
  type RegistryOptions,
} from './registry.js';
export { toPrune } from './retention.js';
export { applyStage, replayStages, stageOf } from './stages.js';
export * from './types.js';
export { DEFAULT_FILE_NAMES, MAX_JSON_BYTES, WeightsUpload } from './upload.js';
