/**
 * The dataset wire codec: binary frames of typed columns, row blocks over them, and the batch engine that
 * cuts a version into a rank's batches. Pure (no store, no server), so the SDK's readers share it.
 */
export {
  type BatchSource,
  batchFrames,
  batchSegments,
  checkStreamOptions,
  DEFAULT_WINDOW_BYTES,
  type ShardLoader,
} from './batches.js';
export { bytesOf, itemSize, type TypedArray, viewAs } from './dtypes.js';
export {
  controlFrame,
  type DataHeader,
  type ErrorInfo,
  FRAME_PREFIX,
  type FrameColumn,
  type FrameHeader,
  frameLength,
  MAX_FRAME_BYTES,
  type ParsedFrame,
  parseFrame,
} from './frame.js';
export {
  blockColumn,
  blockOfFrame,
  finishBlock,
  gather,
  type Picks,
  type RowBlock,
  rangePicks,
} from './rows.js';
export { rankWindows } from './sampler.js';
