/** The core dataset flow on the Redis store: push real t10k, stream it back byte for byte, delete without a trace. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { openDataset, pushDataset } from '../sdk/index.js';
import { testManager } from '../testing/manager.js';
import {
  type DatasetTestManager,
  T10K_IMAGES,
  T10K_LABELS,
  t10k,
  withDatasetViews,
} from './testing/fixtures.js';

describe('datasets on Redis', () => {
  let m: DatasetTestManager;
  before(async () => {
    m = withDatasetViews(await testManager({ redis: true }));
  });
  after(async () => {
    await m.close();
  });

  it('pushes, streams (shuffled, 2 ranks) and deletes', async () => {
    const src = t10k();
    const r = await pushDataset('fashion', [T10K_IMAGES, T10K_LABELS], {
      url: m.url,
      token: m.manager.token,
      format: 'idx',
    });
    assert.equal(r.rows, 10000);
    assert.ok((await m.blobs()).length > 0);
    const plain = await openDataset('fashion', { url: m.url, batchSize: 4096 });
    assert.equal(plain.mode, 'http', 'no node-local path on Redis');
    const images: Uint8Array[] = [];
    for await (const b of plain) images.push(b.columns.image!.data as Uint8Array);
    assert.ok(Buffer.concat(images).equals(src.images));
    const counts = new Uint32Array(10);
    for (let rank = 0; rank < 2; rank++) {
      for await (const b of await openDataset('fashion', {
        url: m.url,
        batchSize: 500,
        rank,
        worldSize: 2,
        shuffleSeed: 5,
      })) {
        for (const l of b.columns.label!.data as Uint8Array) counts[l]!++;
      }
    }
    assert.deepEqual(
      [...counts],
      Array.from({ length: 10 }, () => 1000),
    );
    const del = await fetch(`${m.url}/api/v1/datasets/fashion/versions/1`, {
      method: 'DELETE',
      headers: m.auth,
    });
    assert.equal(del.status, 204);
    assert.deepEqual(await m.blobs(), []);
    assert.deepEqual(await m.datasetKeys(), ['dataset/fashion']);
  });
});
