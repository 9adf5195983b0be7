/** Redis backend of the Store contract: `openRedisStore({ url, prefix })`, every key under the prefix. */
import { Redis } from 'ioredis';
import { ConfigError, UnavailableError } from '../../errors/index.js';
import { checkChunkSize } from '../blob/read.js';
import { DEFAULT_CHUNK_SIZE } from '../blob/sink.js';
import type { Store } from '../types.js';
import { RedisBlobs } from './blobs.js';
import { RedisKeys } from './keys.js';
import { defineScripts } from './scripts.js';
import { RedisStore } from './store.js';

export interface RedisStoreOptions {
  /** `redis://[user:pass@]host:port/db`. */
  url: string;
  /** Installation prefix every key and channel starts with, e.g. `swarmlab:`. */
  prefix: string;
  /** Blob chunk size in bytes (default 4 MiB; Redis values are capped at 512 MB). */
  chunkSize?: number;
  /** An upload whose writer has not written a chunk for this long is swept (default 1 h). */
  uploadLeaseMs?: number;
}

const DEFAULT_LEASE_MS = 60 * 60 * 1000;

export async function openRedisStore(options: RedisStoreOptions): Promise<Store> {
  const chunkSize = checkChunkSize(options.chunkSize ?? DEFAULT_CHUNK_SIZE);
  const leaseMs = options.uploadLeaseMs ?? DEFAULT_LEASE_MS;
  if (!Number.isSafeInteger(leaseMs) || leaseMs < 0) {
    throw new ConfigError('uploadLeaseMs must be a non-negative integer', {
      details: { uploadLeaseMs: leaseMs },
    });
  }
  if (typeof options.prefix !== 'string' || options.prefix.length === 0 || /[*?[\]\s]/.test(options.prefix)) {
    throw new ConfigError('Redis key prefix must be non-empty, without spaces or glob characters', {
      details: { prefix: options.prefix },
    });
  }
  const redis = new Redis(options.url, {
    lazyConnect: true,
    enableAutoPipelining: true,
    maxRetriesPerRequest: 3,
  });
  // ioredis reconnects by itself and every command fails with its own error; without a listener it would also
  // print each connection error to stderr.
  redis.on('error', () => undefined);
  try {
    await redis.connect();
  } catch (cause) {
    redis.disconnect();
    const reason = (cause as NodeJS.ErrnoException).code ?? (cause as Error).message;
    throw new UnavailableError(`cannot connect to Redis at ${redactUrl(options.url)} (${reason})`, {
      details: { url: redactUrl(options.url) },
      cause,
    });
  }
  const keys = new RedisKeys(options.prefix);
  const scripts = defineScripts(redis);
  const blobs = new RedisBlobs(redis, keys, scripts, leaseMs);
  const sweepEveryMs = Math.max(1000, Math.min(leaseMs, 10 * 60 * 1000));
  const store = new RedisStore({ redis, keys, scripts, blobs, chunkSize, sweepEveryMs });
  try {
    await store.sweepUploads();
  } catch (cause) {
    await store.close().catch(() => undefined);
    throw new UnavailableError('Redis store failed its start-up sweep', { cause });
  }
  return store;
}

/** Credentials never reach logs or error messages. */
function redactUrl(url: string): string {
  return url.replace(/\/\/[^@/]*@/, '//***@');
}
