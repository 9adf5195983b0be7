/** The store's public surface: the contract types, both backends, the spec-driven opener and helpers. */

export { type Hold, hold, releaseStaleHolds } from './held.js';
export {
  acquireLease,
  describeHolder,
  LEASE_KEY,
  Lease,
  type LeaseHolder,
  type LeaseOptions,
} from './lease/index.js';
export type { LmdbStoreOptions } from './lmdb/index.js';
export { type LmdbBlobReader, openLmdbBlobReader, openLmdbStore } from './lmdb/index.js';
export type { OpenStoreOptions, StoreSpec } from './open.js';
export { DEFAULT_REDIS_PREFIX, openStore, parseStoreSpec } from './open.js';
export type { RedisStoreOptions } from './redis/index.js';
export { openRedisStore } from './redis/index.js';
export type * from './types.js';
export { updateDoc } from './update.js';
