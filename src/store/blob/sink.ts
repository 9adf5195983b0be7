/** What a backend provides so the shared chunking writer can stream a blob into it. */
import type { BlobInfo } from '../types.js';

export interface ChunkSink {
  /**
   * Stores one chunk (if not already stored) and records that `uploadId` holds a reference to it, so an
   * abort, a failure or a sweep after a crash can release it.
   */
  putChunk(uploadId: string, index: number, sha: string, bytes: Buffer): Promise<void>;
  /**
   * Atomically turns the upload's chunk references into the blob's manifest (or reuses an identical blob) and,
   * given an owner, adds its reference to the blob.
   */
  commit(uploadId: string, info: BlobInfo, owner?: string): Promise<BlobInfo>;
  /** Drops the upload's chunk references; chunks nobody else references are deleted. Idempotent. */
  release(uploadId: string): Promise<void>;
}

export const DEFAULT_CHUNK_SIZE = 4 * 1024 * 1024;
