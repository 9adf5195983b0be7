// The registry on the shared backend: real Redis under a random key prefix, removed afterwards.
import assert from 'node:assert/strict';
import { createHash, randomUUID } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { EventArchive } from '../events/index.js';
import { openRedisStore, type Store } from '../store/index.js';
import { dropRedisPrefix, testRedisUrl } from '../testing/redis.js';
import { ModelRegistry } from './index.js';
import { safetensors } from './testing/formats.js';

const weights = (v: number) => safetensors([{ name: 'w', dtype: 'F32', shape: [2], values: [v, v] }]);

describe('model registry on Redis', () => {
  const prefix = `test-${randomUUID()}:`;
  let store: Store;
  let registry: ModelRegistry;

  before(async () => {
    store = await openRedisStore({ url: testRedisUrl(), prefix });
    registry = new ModelRegistry({ store, events: new EventArchive(store) });
  });
  after(async () => {
    await store.close();
    await dropRedisPrefix(prefix);
  });

  const save = async (v: number) => {
    const upload = registry.startUpload();
    await upload.addFile('model.safetensors', weights(v));
    return (await registry.save('bert', { type: 'nlp/bert-tiny', format: 'safetensors' }, upload)).generation;
  };

  it('saves concurrently, promotes to one production, answers history and frees pruned blobs', async () => {
    const gens = await Promise.all([1, 2, 3, 4].map(save));
    assert.deepEqual(gens.map((g) => g.generation).sort(), [1, 2, 3, 4]);
    await Promise.all([1, 2, 3].map((g) => registry.setStage('bert', g, 'production')));
    const model = await registry.model('bert');
    assert.equal(model.generationList.filter((g) => g.stage === 'production').length, 1);
    const now = await registry.stagesAt('bert', Date.now());
    assert.equal(now.production, model.production);

    // Saves raced, so which values got number 4 is up to them.
    const digest = gens.find((g) => g.generation === 4)!.weights.digest;
    assert.ok(await store.statBlob(digest));
    const pruned = await registry.prune('bert', 0);
    assert.deepEqual(pruned.deleted, [4]);
    assert.deepEqual(pruned.freed, [digest]);
    assert.equal(await store.statBlob(digest), undefined);
    const production = await registry.weights('bert', 'production');
    const chunks: Uint8Array[] = [];
    for await (const chunk of production.body) chunks.push(chunk);
    const sha = createHash('sha256').update(Buffer.concat(chunks)).digest('hex');
    assert.equal(sha, production.generation.weights.digest);
  });
});
