/** Runs the Store contract against real Redis under a random prefix per test, plus Redis-specific checks. */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { dropRedisPrefix, redisKeys, testRedisUrl } from '../../testing/redis.js';
import { type StoreHarness, storeContract } from '../testing/contract.js';
import { openRedisStore } from './index.js';

const raw = new Redis(testRedisUrl(), { lazyConnect: true });
after(() => raw.quit());

async function redisHarness(): Promise<StoreHarness> {
  const prefix = `test-${randomUUID()}:`;
  const url = testRedisUrl();
  return {
    open: ({ chunkSize }) => openRedisStore({ url, prefix, chunkSize }),
    // A restarted process only sweeps uploads idle past the lease; a zero lease makes "crashed" immediate.
    reopen: ({ chunkSize }) => openRedisStore({ url, prefix, chunkSize, uploadLeaseMs: 0 }),
    chunkCount: async () => (await redisKeys(prefix, 'chunk:*')).length,
    corruptChunk: async (sha, bytes) => {
      await raw.set(`${prefix}chunk:${sha}`, Buffer.from(bytes));
    },
    cleanup: () => dropRedisPrefix(prefix),
  };
}

storeContract('redis', redisHarness);

describe('redis store', () => {
  it('keeps every key under its prefix and leaves no upload state after commits and aborts', async () => {
    const prefix = `test-${randomUUID()}:`;
    const store = await openRedisStore({ url: testRedisUrl(), prefix, chunkSize: 1024 });
    try {
      await store.put('d', 1);
      await store.indexAdd('i', 'm', 1);
      await store.append('l', 1);
      await store.putBlob(randomBytes(3000));
      const writer = store.blobWriter();
      await writer.write(randomBytes(5000));
      await writer.abort();
      const keys = await redisKeys(prefix);
      assert.ok(keys.length >= 8, keys.join());
      assert.deepEqual(
        keys.filter((k) => /:(upload:|meta:uploads)/.test(k)),
        [],
      );
      const all = await redisKeys('', `*${prefix.slice(5, 41)}*`);
      assert.ok(all.every((k) => k.startsWith(prefix)));
    } finally {
      await store.close();
      await dropRedisPrefix(prefix);
    }
  });

  it('does not sweep an upload whose lease is still fresh; a live writer can commit after a restart', async () => {
    const prefix = `test-${randomUUID()}:`;
    const url = testRedisUrl();
    const first = await openRedisStore({ url, prefix, chunkSize: 1024 });
    const bytes = randomBytes(4000);
    const writer = first.blobWriter();
    await writer.write(bytes.subarray(0, 2500));
    const second = await openRedisStore({ url, prefix, chunkSize: 1024 });
    try {
      await writer.write(bytes.subarray(2500));
      const info = await writer.commit();
      const chunks: Buffer[] = [];
      for await (const chunk of second.readBlob(info.digest)) chunks.push(Buffer.from(chunk));
      assert.ok(Buffer.concat(chunks).equals(bytes));
    } finally {
      await first.close();
      await second.close();
      await dropRedisPrefix(prefix);
    }
  });

  it('a writer whose upload was swept fails and leaves no chunk', async () => {
    const prefix = `test-${randomUUID()}:`;
    const url = testRedisUrl();
    const store = await openRedisStore({ url, prefix, chunkSize: 1024 });
    const writer = store.blobWriter();
    await writer.write(randomBytes(2048));
    const sweeper = await openRedisStore({ url, prefix, uploadLeaseMs: 0 });
    try {
      await assert.rejects(writer.write(randomBytes(2048)), /expired/);
      assert.deepEqual(await redisKeys(prefix, 'chunk:*'), []);
    } finally {
      await store.close();
      await sweeper.close();
      await dropRedisPrefix(prefix);
    }
  });

  it('fails to open with UnavailableError when Redis cannot be reached', async () => {
    await assert.rejects(
      openRedisStore({ url: 'redis://127.0.0.1:1/0', prefix: 'x:' }),
      (e: unknown) => (e as { code?: string }).code === 'UNAVAILABLE',
    );
  });
});
