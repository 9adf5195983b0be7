/** The Swarmlab SDK (`swarmlab/sdk`): talks to a manager over HTTP/WS only, with the wire types of src/api. */
export type * from '../api/index.js';
export { ArtifactsClient } from './artifacts.js';
export { type ClientOptions, type RequestOptions, SwarmlabClient } from './client.js';
export type { PushOptions } from './dataset-push.js';
export {
  type Batch,
  type BatchColumn,
  type DatasetReader,
  type OpenDatasetOptions,
  openDataset,
} from './datasets.js';
export { DatasetsClient, deleteDatasetVersion, listDatasets, pushDataset } from './datasets-client.js';
export { type EventFollower, type FollowOptions, followEvents } from './events.js';
export { type EventQuery, EventsClient } from './events-client.js';
export {
  type GenerationSelector,
  type LoadedGeneration,
  loadGeneration,
  ModelsClient,
  type SaveGenerationOptions,
  saveGeneration,
} from './models.js';
export { NodesClient } from './nodes.js';
export { RetentionClient } from './retention.js';
export { HttpModelSource } from './serving-source.js';
export {
  type ConnectionState,
  SessionClient,
  type SessionInfo,
  type SessionOptions,
  type SessionStats,
  session,
} from './session.js';
export { type FollowSessionOptions, SessionsClient } from './sessions.js';
export { SweepsClient } from './sweeps.js';
export { TokensClient } from './tokens.js';
