/** Runs the Store contract against real Redis under a random prefix per test, plus Redis-specific checks. */
import assert from 'node:assert/strict';
import { randomBytes, randomUUID } from 'node:crypto';
import { after, describe, it } from 'node:test';
import { Redis } from 'ioredis';
import { type StoreHarness, storeContract } from '../testing/contract.js';
import { testRedisUrl } from '../testing/redis-url.js';
import { openRedisStore } from './index.js';

const raw = new Redis(testRedisUrl(), { lazyConnect: true });
after(() => raw.quit());

async function keysUnder(prefix: string, pattern = '*'): Promise<string[]> {
  const found: string[] = [];
  let cursor = '0';
  do {
    const [next, keys] = await raw.scan(cursor, 'MATCH', `${prefix}${pattern}`, 'COUNT', 1000);
    found.push(...keys);
    cursor = next;
  } while (cursor !== '0');
  return found;
}

async function dropPrefix(prefix: string): Promise<void> {
  const keys = await keysUnder(prefix);
  for (let i = 0; i < keys.length; i += 500) await raw.del(...keys.slice(i, i + 500));
}

async function redisHarness(): Promise<StoreHarness> {
  const prefix = `test-${randomUUID()}:`;
  const url = testRedisUrl();
  return {
    open: ({ chunkSize }) => openRedisStore({ url, prefix, chunkSize }),
    // A restarted process only sweeps uploads idle past the lease; a zero lease makes "crashed" immediate.
    reopen: ({ chunkSize }) => openRedisStore({ url, prefix, chunkSize, uploadLeaseMs: 0 }),
    chunkCount: async () => (await keysUnder(prefix, 'chunk:*')).length,
    corruptChunk: async (sha, bytes) => {
      await raw.set(`${prefix}chunk:${sha}`, Buffer.from(bytes));
    },
    cleanup: () => dropPrefix(prefix),
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
      const keys = await keysUnder(prefix);
      assert.ok(keys.length >= 8, keys.join());
      assert.deepEqual(
        keys.filter((k) => /:(upload:|meta:uploads)/.test(k)),
        [],
      );
      const all = await keysUnder('', `*${prefix.slice(5, 41)}*`);
      assert.ok(all.every((k) => k.startsWith(prefix)));
    } finally {
      await store.close();
      await dropPrefix(prefix);
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
      await dropPrefix(prefix);
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
      assert.deepEqual(await keysUnder(prefix, 'chunk:*'), []);
    } finally {
      await store.close();
      await sweeper.close();
      await dropPrefix(prefix);
    }
  });

  it('fails to open with UnavailableError when Redis cannot be reached', async () => {
    await assert.rejects(
      openRedisStore({ url: 'redis://127.0.0.1:1/0', prefix: 'x:' }),
      (e: unknown) => (e as { code?: string }).code === 'UNAVAILABLE',
    );
  });
});
