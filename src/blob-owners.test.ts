// Datasets and models share one blob namespace: a shard and a weights file with the same bytes are one blob, held
// by both and freed only when both let go; the references each kept before blob owners are migrated at start.
import assert from 'node:assert/strict';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { afterEach, beforeEach, describe, it } from 'node:test';
import type { Manager } from './app.js';
import { migrateDatasetRefs } from './datasets/index.js';
import type { WeightsUpload } from './models/index.js';
import { hold, type Store } from './store/index.js';
import { type TestManager, testManager } from './testing/manager.js';

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const CSV = 'x,y\n1,2\n3,4\n5,6\n';

async function readAll(body: AsyncIterable<Uint8Array>): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const part of body) parts.push(Buffer.from(part));
  return Buffer.concat(parts);
}

/**
 * An upload of arbitrary bytes as one ONNX file, skipping only the format checks (a dataset shard is no valid
 * model); the blob is stored, owned and handed over by the real store and registry.
 */
function rawUpload(store: Store, bytes: Buffer): WeightsUpload {
  const id = randomUUID();
  const held = hold(store, id, `weights-upload:${id}`);
  const files = [{ name: 'model.onnx', size: bytes.length, sha256: sha256(bytes), offset: 0 }];
  const finish = async () => {
    const info = await store.putBlob(bytes, { owner: held.owner });
    return { weights: { digest: info.digest, size: info.size, bundle: false }, files, primary: 'model.onnx' };
  };
  return { hold: held, files, finish, abort: async () => {} } as unknown as WeightsUpload;
}

for (const backend of ['lmdb', 'redis'] as const) {
  describe(`blob owners across datasets and models (${backend})`, () => {
    let t: TestManager;
    beforeEach(async () => {
      t = await testManager({ redis: backend === 'redis' });
    });
    afterEach(() => t?.close());

    /** Pushes CSV as a dataset version; returns its one shard's digest and bytes. */
    const push = async (m: Manager, name: string) => {
      const { datasets } = m.services;
      const body = (async function* () {
        yield Buffer.from(CSV);
      })();
      const { version } = await datasets.push(name, { format: 'csv', files: [{ name: 'a.csv', body }] });
      const [shard] = (await datasets.manifest(name, version)).shards;
      return { digest: shard!.digest, bytes: await readAll(m.store.readBlob(shard!.digest)) };
    };
    const save = async (m: Manager, bytes: Buffer) =>
      (await m.services.models.save('m', { type: 'test/raw', format: 'onnx' }, rawUpload(m.store, bytes)))
        .generation;

    it('a shard and a weights file with the same bytes: either side deleting keeps the blob for the other', async () => {
      const m = t.manager;
      const { store, services } = m;
      const { digest, bytes } = await push(m, 'd');
      const g1 = await save(m, bytes);
      assert.equal(g1.weights.digest, digest);
      assert.deepEqual(await store.blobOwners(digest), ['dataset:d@1', 'generation:m/1']);

      await services.datasets.delete('d', 1);
      assert.deepEqual(await store.blobOwners(digest), ['generation:m/1']);
      assert.ok((await readAll((await services.models.weights('m', 1)).body)).equals(bytes));
      assert.deepEqual((await services.models.deleteGeneration('m', 1)).freed, [digest]);
      assert.equal(await store.statBlob(digest), undefined);

      // And the other way round.
      assert.equal((await push(m, 'e')).digest, digest);
      await save(m, bytes);
      assert.deepEqual((await services.models.deleteGeneration('m', 2)).freed, []);
      const { rows } = await services.datasets.rows('e', 1, 0, 10);
      assert.equal(rows.length, 3, 'the dataset still reads its shard');
      await services.datasets.delete('e', 1);
      assert.equal(await store.statBlob(digest), undefined);
      assert.deepEqual(await store.blobOwners(digest), []);
    });

    it('concurrent pushes, saves and deletes of one digest neither free it early nor leak it', async () => {
      const m = t.manager;
      const { store, services } = m;
      const { digest, bytes } = await push(m, 'base');
      const three = [0, 1, 2];
      await Promise.all([
        services.datasets.delete('base', 1),
        ...three.map((i) => push(m, `c${i}`)),
        ...three.map(() => save(m, bytes)),
      ]);
      const held = ['dataset:c0@1', 'dataset:c1@1', 'dataset:c2@1', 'generation:m/1', 'generation:m/2'];
      assert.deepEqual(await store.blobOwners(digest), [...held, 'generation:m/3']);
      await Promise.all([
        ...three.map((i) => services.datasets.delete(`c${i}`, 1)),
        ...[1, 2, 3].map((g) => services.models.deleteGeneration('m', g)),
        ...three.map(() => save(m, bytes)),
      ]);
      assert.deepEqual(await store.blobOwners(digest), [
        'generation:m/4',
        'generation:m/5',
        'generation:m/6',
      ]);
      assert.ok((await readAll(store.readBlob(digest))).equals(bytes));
      await Promise.all([4, 5, 6].map((g) => services.models.deleteGeneration('m', g)));
      assert.equal(await store.statBlob(digest), undefined);
      assert.deepEqual(await store.blobOwners(digest), []);
    });

    it('references kept before blob owners become owners at start, once', async () => {
      const first = t.manager;
      const { digest, bytes } = await push(first, 'd');
      await save(first, bytes);
      const other = randomBytes(1000);
      const g2 = await save(first, other);
      // Back to how the stores were written before: blobs with no owner, counts and lists beside them.
      const { store } = first;
      for (const [d, b] of [
        [digest, bytes],
        [g2.weights.digest, other],
      ] as const) {
        await store.deleteBlob(d);
        await store.putBlob(b);
      }
      const orphan = await store.putBlob(randomBytes(500));
      const gone = sha256(Buffer.of(7));
      await store.put(`dataset-blob/${digest}`, { refs: 1 });
      await store.put(`modelblob/${digest}`, { digest, refs: ['m#1'] });
      await store.put(`modelblob/${g2.weights.digest}`, { digest: g2.weights.digest, refs: ['m#2'] });
      await store.put(`modelblob/${gone}`, { digest: gone, refs: ['m#9'] });
      // A version delete that stopped before freeing the shards its count said were unused: the orphan is, the
      // other is still a generation's weights (which the old dataset count could not see).
      await store.put('dataset-pending/old', {
        kind: 'delete',
        name: 'x',
        digests: [orphan.digest, g2.weights.digest],
        startedAt: new Date().toISOString(),
      });
      assert.deepEqual(await store.blobOwners(digest), []);
      const second = await t.restart();
      const owners = async (s: Store) => [
        await s.blobOwners(digest),
        await s.blobOwners(g2.weights.digest),
        await s.blobOwners(gone),
      ];
      const expected = [['dataset:d@1', 'generation:m/1'], ['generation:m/2'], []];
      assert.deepEqual(await owners(second.store), expected);
      assert.equal(await second.store.statBlob(orphan.digest), undefined, 'the unowned shard is freed');
      for (const legacy of ['dataset-blob/', 'modelblob/', 'dataset-pending/']) {
        assert.deepEqual(await second.store.list(legacy), [], legacy);
      }
      assert.equal(await migrateDatasetRefs(second.store), 0);
      const third = await t.restart();
      assert.deepEqual(await owners(third.store), expected);
      await third.services.datasets.delete('d', 1);
      assert.ok((await readAll((await third.services.models.weights('m', 1)).body)).equals(bytes));
    });
  });
}
