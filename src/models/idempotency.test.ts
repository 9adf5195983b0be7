// Idempotent saves on both store backends: LMDB in a temp dir and real Redis under a random key prefix.
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConflictError, InvalidError } from '../errors/index.js';
import { EventArchive } from '../events/index.js';
import { openLmdbStore, openRedisStore, type Store } from '../store/index.js';
import { dropRedisPrefix, testRedisUrl } from '../testing/redis.js';
import { ModelRegistry } from './index.js';
import { idempotencyKey } from './keys.js';
import { safetensors } from './testing/formats.js';

const weights = (v: number) => safetensors([{ name: 'w', dtype: 'F32', shape: [2], values: [v, v] }]);
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

function idempotentSaves(backend: string, open: () => Promise<{ store: Store; cleanup(): Promise<void> }>) {
  describe(`idempotent saves on ${backend}`, () => {
    let store: Store;
    let cleanup: () => Promise<void>;
    let registry: ModelRegistry;

    before(async () => {
      ({ store, cleanup } = await open());
      registry = new ModelRegistry({ store, events: new EventArchive(store) });
    });
    after(async () => {
      await store.close();
      await cleanup();
    });

    const save = async (model: string, v: number, key?: string) => {
      const upload = registry.startUpload();
      await upload.addFile('model.safetensors', weights(v));
      const meta = { type: 'nlp/tiny', format: 'safetensors' } as const;
      return registry.save(model, meta, upload, key === undefined ? {} : { idempotencyKey: key });
    };

    it('answers a retried save with the generation the first one made, recorded with it', async () => {
      const first = await save('a', 1, 'run-7:epoch.3');
      assert.deepEqual([first.created, first.generation.generation], [true, 1]);
      assert.equal(first.generation.idempotencyKey, 'run-7:epoch.3');
      assert.equal(
        (await store.get<{ generation: number }>(idempotencyKey('a', 'run-7:epoch.3')))?.value.generation,
        1,
      );
      // The first answer was lost; the client sends the same save again.
      const retry = await save('a', 1, 'run-7:epoch.3');
      assert.equal(retry.created, false);
      assert.deepEqual(retry.generation, first.generation);
      assert.equal(
        (await save('a', 1)).generation.generation,
        2,
        'without a key, a save is a new generation',
      );
      assert.deepEqual((await registry.model('a')).generations, [1, 2]);
    });

    it('makes one generation when saves with one key race', async () => {
      const results = await Promise.all([1, 2, 3, 4].map(() => save('b', 5, 'same')));
      assert.equal(results.filter((r) => r.created).length, 1);
      assert.deepEqual(new Set(results.map((r) => r.generation.generation)), new Set([1]));
      assert.deepEqual((await registry.model('b')).generations, [1]);
    });

    it('refuses a key reused for other weights, naming the header, and keeps nothing of it', async () => {
      await save('c', 1, 'k');
      const err = await save('c', 2, 'k').catch((e) => e);
      assert.ok(err instanceof ConflictError, String(err));
      assert.equal(err.details.field, 'Idempotency-Key');
      assert.equal(err.details.generation, 1);
      assert.equal(await store.statBlob(sha256(weights(2))), undefined);
      assert.deepEqual((await registry.model('c')).generations, [1]);
    });

    it('refuses a malformed key before storing anything', async () => {
      for (const bad of ['', 'a b', 'x'.repeat(129), 'ключ']) {
        const err = await save('d', 9, bad).catch((e) => e);
        assert.ok(err instanceof InvalidError, String(err));
        assert.equal(err.details.field, 'Idempotency-Key');
      }
      assert.equal(await store.statBlob(sha256(weights(9))), undefined);
      // Dots are allowed, even two in a row (store keys refuse "..", so the record's key is encoded).
      assert.equal((await save('d', 9, 'v1..2')).created, true);
    });

    it('forgets a key with its generation', async () => {
      await save('e', 1, 'gone');
      await registry.deleteGeneration('e', 1);
      assert.equal(await store.get(idempotencyKey('e', 'gone')), undefined);
      const again = await save('e', 1, 'gone');
      assert.deepEqual([again.created, again.generation.generation], [true, 2]);
    });
  });
}

idempotentSaves('LMDB', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'swarmlab-idem-'));
  return {
    store: await openLmdbStore({ path: dir }),
    cleanup: () => rm(dir, { recursive: true, force: true }),
  };
});

idempotentSaves('Redis', async () => {
  const prefix = `test-${randomUUID()}:`;
  return {
    store: await openRedisStore({ url: testRedisUrl(), prefix }),
    cleanup: () => dropRedisPrefix(prefix),
  };
});
