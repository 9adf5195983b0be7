/**
 * The dataset wire codec: binary frames of typed columns, row blocks over them, and the batch engine that
 * cuts a version into a rank's batches. Pure (no store, no server), so the SDK's readers share it.
 */
export {
  type BatchSource,
  batchFrames,
  checkStreamOptions,
  DEFAULT_WINDOW_BYTES,
  type ShardLoader,
} from './batches.js';
export {
  ARRAY_CTOR,
  type ArrayCtor,
  allocate,
  bytesOf,
  itemSize,
  type TypedArray,
  typedView,
  viewAs,
} from './dtypes.js';
export {
  align8,
  controlFrame,
  type DataHeader,
  type ErrorInfo,
  FRAME_PREFIX,
  type FrameColumn,
  type FrameHeader,
  type FramePart,
  frameLength,
  MAX_FRAME_BYTES,
  type ParsedFrame,
  type PartSpec,
  type PlannedFrame,
  parseFrame,
  planFrame,
} from './frame.js';
export {
  type BlockColumn,
  blockColumn,
  blockOfFrame,
  finishBlock,
  gather,
  type Picks,
  type RowBlock,
  rangePicks,
} from './rows.js';
export { rankWindows, type SamplerOptions, type Window } from './sampler.js';
