/** Redis blob storage: refcounted chunks keyed by sha256, manifests, uploads with a heartbeat lease. */
import type { Redis } from 'ioredis';
import { UnavailableError } from '../../errors/index.js';
import type { ChunkSink } from '../blob/sink.js';
import { decode, encode } from '../codec.js';
import type { BlobInfo } from '../types.js';
import type { RedisKeys } from './keys.js';
import type { Scripts } from './scripts.js';

const SWEEP_BATCH = 100;

/** A blob's manifest as stored ('' when absent) and its chunk shas. */
export interface Manifest {
  raw: Buffer | '';
  chunks: string[];
}

export class RedisBlobs implements ChunkSink {
  readonly #redis: Redis;
  readonly #keys: RedisKeys;
  readonly #scripts: Scripts;
  readonly #leaseMs: number;

  constructor(redis: Redis, keys: RedisKeys, scripts: Scripts, leaseMs: number) {
    this.#redis = redis;
    this.#keys = keys;
    this.#scripts = scripts;
    this.#leaseMs = leaseMs;
  }

  async putChunk(uploadId: string, index: number, sha: string, bytes: Buffer): Promise<void> {
    const k = this.#keys;
    const reply = await this.#scripts.putChunk(
      [k.chunk(sha), k.chunkRefs, k.upload(uploadId), k.uploads],
      [sha, uploadId, index, bytes],
    );
    if (String(reply) !== 'ok') throw expired(uploadId);
  }

  async commit(uploadId: string, info: BlobInfo, owner = ''): Promise<BlobInfo> {
    const k = this.#keys;
    const reply = (await this.#scripts.commitBlob(
      [k.blob(info.digest), k.chunkRefs, k.upload(uploadId), k.uploads, k.owners(info.digest)],
      [uploadId, encode(info), info.chunks.length, k.chunkPrefix, owner],
    )) as Buffer[];
    const status = String(reply[0]);
    if (status === 'expired') throw expired(uploadId);
    return status === 'existing' ? decode<BlobInfo>(reply[1]!) : info;
  }

  async release(uploadId: string): Promise<void> {
    const k = this.#keys;
    await this.#scripts.releaseUpload(
      [k.upload(uploadId), k.uploads, k.chunkRefs],
      [uploadId, k.chunkPrefix],
    );
  }

  /** Releases uploads whose heartbeat is older than the lease: their writer died or gave up. */
  async sweep(leaseMs = this.#leaseMs): Promise<number> {
    const k = this.#keys;
    let total = 0;
    for (;;) {
      const n = Number(
        await this.#scripts.sweep(
          [k.uploads, k.chunkRefs],
          [leaseMs, k.chunkPrefix, k.uploadPrefix, SWEEP_BATCH],
        ),
      );
      total += n;
      if (n < SWEEP_BATCH) return total;
    }
  }

  async stat(digest: string): Promise<BlobInfo | undefined> {
    const raw = await this.#redis.getBuffer(this.#keys.blob(digest));
    return raw === null ? undefined : decode<BlobInfo>(raw);
  }

  async delete(digest: string): Promise<boolean> {
    const k = this.#keys;
    for (;;) {
      const raw = await this.#redis.getBuffer(k.blob(digest));
      if (raw === null) return false;
      const { chunks } = decode<BlobInfo>(raw);
      const reply = Number(
        await this.#scripts.deleteBlob(
          [k.blob(digest), k.chunkRefs, k.owners(digest)],
          [raw, k.chunkPrefix, ...chunks],
        ),
      );
      if (reply >= 0) return reply === 1;
      // The manifest was replaced between our read and the script: read it again.
    }
  }

  async owners(digest: string): Promise<string[]> {
    return (await this.#redis.smembers(this.#keys.owners(digest))).sort();
  }

  /** What an unref frees if it drops the last owner. */
  async manifest(digest: string): Promise<Manifest> {
    const raw = await this.#redis.getBuffer(this.#keys.blob(digest));
    return raw === null ? { raw: '', chunks: [] } : { raw, chunks: decode<BlobInfo>(raw).chunks };
  }

  /** A chunk's bytes; the buffer is ours to keep. */
  async chunk(sha: string): Promise<Buffer | undefined> {
    return (await this.#redis.getBuffer(this.#keys.chunk(sha))) ?? undefined;
  }
}

const expired = (uploadId: string) =>
  new UnavailableError(`blob upload ${uploadId} expired (idle past its lease) and was swept`, {
    details: { uploadId },
  });
