/**
 * A manager killed between storing a generation's weights and the save's commit leaves the upload's reference on
 * the blob; the next start releases it: an unsaved blob is freed, one a retried save made a generation keeps only
 * the generation's owner.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { afterEach, describe, it } from 'node:test';
import { type TestManager, testManager } from '../testing/manager.js';
import { safetensors } from './testing/formats.js';

/** Weights of `n` float32 values; their bytes differ per call. */
const weights = (n: number) =>
  safetensors([{ name: 'w', dtype: 'F32', shape: [n], values: [...randomBytes(n)] }]);

for (const backend of ['lmdb', 'redis'] as const) {
  describe(`weights uploads cut off before their save (${backend})`, () => {
    let t: TestManager | undefined;
    afterEach(() => t?.close());

    /** An upload stored up to its blob, its save never run: what a kill right after the blob commit leaves. */
    const orphanUpload = async (bytes: Buffer) => {
      const upload = t!.manager.services.models.startUpload();
      await upload.addFile('model.safetensors', bytes);
      return (await upload.finish('safetensors')).weights.digest;
    };

    it('the next start frees weights no save took', async () => {
      t = await testManager({ redis: backend === 'redis' });
      const digest = await orphanUpload(weights(64));
      assert.equal((await t.manager.store.blobOwners(digest)).length, 1);
      await t.restart();
      assert.deepEqual(await t.manager.store.blobOwners(digest), []);
      assert.equal(await t.manager.store.statBlob(digest), undefined);
    });

    it('and drops only the upload owner of weights a retried save made a generation of', async () => {
      t = await testManager({ redis: backend === 'redis' });
      const bytes = weights(96);
      const digest = await orphanUpload(bytes);
      const retry = t.manager.services.models.startUpload();
      await retry.addFile('model.safetensors', bytes);
      await t.manager.services.models.save('m', { type: 'test/blob', format: 'safetensors' }, retry);
      await t.restart();
      assert.deepEqual(await t.manager.store.blobOwners(digest), ['generation:m/1']);
      assert.equal((await t.manager.services.models.generation('m', 1)).weights.digest, digest);
    });

    it('a save that commits leaves nothing to release', async () => {
      t = await testManager({ redis: backend === 'redis' });
      const upload = t.manager.services.models.startUpload();
      await upload.addFile('model.safetensors', weights(32));
      await t.manager.services.models.save('m', { type: 'test/blob', format: 'safetensors' }, upload);
      assert.deepEqual(await t.manager.store.list('blob-held/'), []);
    });
  });
}
