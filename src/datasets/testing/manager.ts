/** Test helpers: a real manager in a temp dir (LMDB or Redis), the Fashion-MNIST files, blob listings. */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { Redis } from 'ioredis';
import { pino } from 'pino';
import { type Manager, startManager } from '../../app.js';
import { resolveConfig } from '../../config/index.js';
import { openLmdbBlobReader } from '../../store/index.js';
import { testRedisUrl } from '../../store/testing/redis-url.js';

export const FASHION = '/usr/share/datasets/fashion-mnist';
export const T10K_IMAGES = `${FASHION}/t10k-images-idx3-ubyte.gz`;
export const T10K_LABELS = `${FASHION}/t10k-labels-idx1-ubyte.gz`;

/** The raw t10k pixels (10000×28×28) and labels, straight from the IDX files. */
export function t10k(): { images: Buffer; labels: Buffer } {
  return {
    images: gunzipSync(readFileSync(T10K_IMAGES)).subarray(16),
    labels: gunzipSync(readFileSync(T10K_LABELS)).subarray(8),
  };
}

export interface TestManager {
  manager: Manager;
  dir: string;
  url: string;
  auth: Record<string, string>;
  /** Digests of every stored blob. */
  blobs(): Promise<string[]>;
  /** Every dataset document key. */
  datasetKeys(): Promise<string[]>;
  close(): Promise<void>;
}

export async function startTestManager(
  options: { redis?: boolean; dir?: string; bodyLimit?: number } = {},
): Promise<TestManager> {
  const dir = options.dir ?? (await mkdtemp(join(tmpdir(), 'swarmlab-ds-')));
  const prefix = `test-${randomUUID()}:`;
  const store = options.redis ? `${testRedisUrl().replace(/\/?$/, '')}?prefix=${prefix}` : 'lmdb';
  const manager = await startManager(
    resolveConfig({
      dataDir: dir,
      port: 0,
      store,
      ...(options.bodyLimit ? { bodyLimit: options.bodyLimit } : {}),
    }),
    { logger: pino({ level: 'silent' }) },
  );
  const redis = options.redis ? new Redis(testRedisUrl()) : undefined;
  const scan = async (pattern: string): Promise<string[]> => {
    const out: string[] = [];
    let cursor = '0';
    do {
      const [next, keys] = await redis!.scan(cursor, 'MATCH', `${prefix}${pattern}`, 'COUNT', 1000);
      out.push(...keys);
      cursor = next;
    } while (cursor !== '0');
    return out;
  };
  return {
    manager,
    dir,
    url: manager.url,
    auth: { authorization: `Bearer ${manager.token}` },
    async blobs() {
      if (redis) return (await scan('blob:*')).map((k) => k.slice(`${prefix}blob:`.length)).sort();
      const reader = openLmdbBlobReader(join(dir, 'store'));
      try {
        return reader.digests().sort();
      } finally {
        await reader.close();
      }
    },
    async datasetKeys() {
      const docs = await manager.store.list('dataset');
      return docs.map((d) => d.key);
    },
    async close() {
      await manager.close();
      if (redis) {
        const keys = await scan('*');
        for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));
        redis.disconnect();
      }
      if (!options.dir) await rm(dir, { recursive: true, force: true });
    },
  };
}
