/** Store spec parsing: `lmdb`, `redis://…` URLs, and one-line ConfigErrors for anything else. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError } from '../errors/index.js';
import { testRedisUrl } from '../testing/redis.js';
import { openStore, parseStoreSpec } from './index.js';

describe('parseStoreSpec', () => {
  it('accepts lmdb and redis URLs with an optional prefix', () => {
    assert.deepEqual(parseStoreSpec('lmdb'), { backend: 'lmdb' });
    assert.deepEqual(parseStoreSpec('redis://127.0.0.1:6379/2'), {
      backend: 'redis',
      url: 'redis://127.0.0.1:6379/2',
      prefix: 'swarmlab:',
    });
    assert.deepEqual(parseStoreSpec('redis://cache:6380/0?prefix=lab-1:'), {
      backend: 'redis',
      url: 'redis://cache:6380/0',
      prefix: 'lab-1:',
    });
  });

  it('rejects bad specs with a one-line ConfigError', () => {
    const bad = [
      '',
      'LMDB',
      'postgres://x',
      'redis://',
      'redis://h:1/abc',
      'redis://h:1/0?db=1',
      'redis://h/0?prefix=a b',
    ];
    for (const spec of bad) {
      assert.throws(
        () => parseStoreSpec(spec),
        (e: unknown) => {
          assert.ok(e instanceof ConfigError, spec);
          assert.equal(e.details.store, spec);
          assert.ok(!e.message.includes('\n'));
          return true;
        },
      );
    }
  });
});

describe('openStore', () => {
  it('opens LMDB under <dataDir>/store and Redis from a URL', async () => {
    const dataDir = await mkdtemp(join(tmpdir(), 'swarmlab-open-'));
    try {
      const lmdb = await openStore('lmdb', { dataDir });
      assert.equal(lmdb.backend, 'lmdb');
      await lmdb.close();
      assert.ok((await stat(join(dataDir, 'store'))).isDirectory());
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
    const prefix = `test-${randomUUID()}:`;
    const redis = await openStore(`${testRedisUrl()}?prefix=${prefix}`, { dataDir: '/nonexistent' });
    try {
      assert.equal(redis.backend, 'redis');
      assert.equal(await redis.lastCursor('nothing'), 0);
    } finally {
      await redis.close();
    }
  });
});
