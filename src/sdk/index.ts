/** The Swarmlab SDK (`swarmlab/sdk`): talks to a manager over HTTP/WS only. */
export { type ClientOptions, type RequestOptions, SwarmlabClient } from './client.js';
export type { PushOptions } from './dataset-push.js';
export {
  type Batch,
  type BatchColumn,
  type DatasetReader,
  deleteDatasetVersion,
  listDatasets,
  type OpenDatasetOptions,
  openDataset,
  pushDataset,
} from './datasets.js';
export { type EventFollower, type FollowOptions, followEvents } from './events.js';
export {
  type GenerationSelector,
  type LoadedGeneration,
  loadGeneration,
  ModelsClient,
  type SaveGenerationOptions,
  saveGeneration,
} from './models.js';
export { HttpModelSource } from './serving-source.js';
export {
  type ConnectionState,
  SessionClient,
  type SessionInfo,
  type SessionOptions,
  type SessionStats,
  session,
} from './session.js';
