// Uploads and bundles straight on the registry (no HTTP), on LMDB in a temp dir.
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { TooLargeError } from '../errors/index.js';
import { EventArchive } from '../events/index.js';
import { openLmdbStore, type Store } from '../store/index.js';
import { ModelRegistry, readBundleIndex } from './index.js';
import { tfjs } from './testing/formats.js';

describe('weights uploads', () => {
  let dir: string;
  let store: Store;
  let registry: ModelRegistry;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'swarmlab-upload-'));
    store = await openLmdbStore({ path: dir });
    registry = new ModelRegistry({ store, events: new EventArchive(store), maxUploadBytes: 4096 });
  });
  after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('stores several files as a self-describing bundle, each file a byte range of one blob', async () => {
    const files = tfjs([{ name: 'w', dtype: 'float32', shape: [4], values: [1, 2, 3, 4] }], 10);
    const upload = registry.startUpload();
    for (const [name, bytes] of Object.entries(files)) {
      // Streamed in small pieces, as a socket would.
      await upload.addFile(
        name,
        (async function* () {
          for (let i = 0; i < bytes.length; i += 7) yield bytes.subarray(i, i + 7);
        })(),
      );
    }
    const { generation: g } = await registry.save('bundled', { type: 'cv/tiny', format: 'tfjs' }, upload);
    const chunks: Uint8Array[] = [];
    for await (const c of store.readBlob(g.weights.digest)) chunks.push(c);
    const blob = Buffer.concat(chunks);
    assert.deepEqual(readBundleIndex(blob), g.files);
    for (const f of g.files) assert.deepEqual(blob.subarray(f.offset, f.offset + f.size), files[f.name]);
    const shard = await registry.weights('bundled', 1, 'group1-shard2of2.bin');
    const got: Uint8Array[] = [];
    for await (const c of shard.body) got.push(c);
    assert.deepEqual(Buffer.concat(got), files['group1-shard2of2.bin']);
  });

  it('refuses an upload over the limit, naming the field, and keeps nothing', async () => {
    const upload = registry.startUpload();
    const err = await upload.addFile('model.safetensors', new Uint8Array(4097)).catch((e) => e);
    assert.ok(err instanceof TooLargeError);
    assert.equal(err.details.field, 'weights');
    await upload.abort();
    assert.deepEqual(await store.list('modelgen/'), await store.list('modelgen/bundled/'));
  });
});
