/** Datasets through a real manager and real HTTP: real Fashion-MNIST files, round trips, malformed uploads. */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { openDataset, pushDataset } from '../sdk/index.js';
import { testManager } from '../testing/manager.js';
import { writeNpyHeader } from './formats/index.js';
import {
  type DatasetTestManager,
  T10K_IMAGES,
  T10K_LABELS,
  t10k,
  withDatasetViews,
} from './testing/fixtures.js';

// biome-ignore lint/suspicious/noExplicitAny: loosely typed JSON bodies of test responses
type Json = any;

const fixture = (name: string): Buffer =>
  readFileSync(new URL(`./formats/fixtures/${name}`, import.meta.url));

async function post(
  m: DatasetTestManager,
  path: string,
  body: string | Uint8Array,
  headers: Record<string, string> = {},
) {
  const res = await fetch(`${m.url}/api/v1/datasets/${path}`, {
    method: 'POST',
    body,
    headers: { ...m.auth, ...headers },
  });
  return { status: res.status, body: (await res.json()) as Json };
}

function npyBytes(dtype: 'float32' | 'int32', shape: number[], data: Float32Array | Int32Array): Buffer {
  return Buffer.concat([
    writeNpyHeader(dtype, shape),
    Buffer.from(data.buffer, data.byteOffset, data.byteLength),
  ]);
}

describe('datasets API', () => {
  let m: DatasetTestManager;
  before(async () => {
    m = withDatasetViews(await testManager());
  });
  after(async () => {
    await m.close();
  });

  it('pushes the real t10k images+labels and streams back every byte and label (HTTP and node-local)', async () => {
    const src = t10k();
    const r = await pushDataset('fashion', [T10K_IMAGES, T10K_LABELS], {
      url: m.url,
      token: m.manager.token,
      format: 'idx',
    });
    assert.equal(r.version, 1);
    assert.equal(r.rows, 10000);
    assert.deepEqual(r.columns, [
      { name: 'image', dtype: 'uint8', shape: [10000, 28, 28, 1] },
      { name: 'label', dtype: 'uint8', shape: [10000] },
    ]);
    for (const local of [false, true]) {
      const reader = await openDataset('fashion', {
        url: m.url,
        token: m.manager.token,
        batchSize: 999,
        local,
      });
      assert.equal(reader.mode, local ? 'local' : 'http');
      const images: Uint8Array[] = [];
      const labels: Uint8Array[] = [];
      for await (const b of reader) {
        assert.ok(b.columns.image!.data instanceof Uint8Array);
        assert.deepEqual(b.columns.image!.shape, [b.rows, 28, 28, 1]);
        images.push(b.columns.image!.data as Uint8Array);
        labels.push(b.columns.label!.data as Uint8Array);
      }
      await reader.close();
      assert.ok(Buffer.concat(images).equals(src.images), `images differ (${reader.mode})`);
      assert.ok(Buffer.concat(labels).equals(src.labels), `labels differ (${reader.mode})`);
    }
    // Shuffled across 3 ranks: each (image, label) row of the source arrives exactly once.
    const want = new Map<string, number>();
    const key = (img: Uint8Array, label: number) => `${label}:${Buffer.from(img).toString('base64')}`;
    for (let i = 0; i < 10000; i++) {
      const k = key(src.images.subarray(i * 784, (i + 1) * 784), src.labels[i]!);
      want.set(k, (want.get(k) ?? 0) + 1);
    }
    for (let rank = 0; rank < 3; rank++) {
      const reader = await openDataset('fashion@1', {
        url: m.url,
        batchSize: 256,
        rank,
        worldSize: 3,
        shuffleSeed: 42,
        local: false,
      });
      for await (const b of reader) {
        const img = b.columns.image!.data as Uint8Array;
        for (let i = 0; i < b.rows; i++) {
          const k = key(img.subarray(i * 784, (i + 1) * 784), b.columns.label!.data[i] as number);
          const n = want.get(k);
          assert.ok(n, 'a streamed row is not in the source (or came twice)');
          want.set(k, n - 1);
        }
      }
    }
    assert.ok(
      [...want.values()].every((n) => n === 0),
      'some source rows were not delivered',
    );
    // Exports back to .npy: the payload is the source pixels, byte for byte.
    const npy = Buffer.from(
      await (await fetch(`${m.url}/api/v1/datasets/fashion/versions/1/export?format=npy`)).arrayBuffer(),
    );
    assert.ok(npy.subarray(npy.length - src.images.length).equals(src.images));
    const labelsNpy = Buffer.from(
      await (
        await fetch(`${m.url}/api/v1/datasets/fashion/versions/1/export?format=npy&column=label`)
      ).arrayBuffer(),
    );
    assert.ok(labelsNpy.subarray(labelsNpy.length - 10000).equals(src.labels));
  });

  it('stores an unchanged shard once across versions and frees only unused blobs on delete', async () => {
    const before = await m.blobs();
    const r1 = await pushDataset('dedupe', [T10K_IMAGES, T10K_LABELS], {
      url: m.url,
      format: 'idx',
      token: m.manager.token,
    });
    const afterFirst = await m.blobs();
    const r2 = await pushDataset('dedupe', [T10K_IMAGES, T10K_LABELS], {
      url: m.url,
      format: 'idx',
      token: m.manager.token,
    });
    assert.equal(r2.version, r1.version + 1);
    assert.equal(r2.digest, r1.digest);
    assert.deepEqual(await m.blobs(), afterFirst, 'the second identical version added blobs');
    const del = (v: number) =>
      fetch(`${m.url}/api/v1/datasets/dedupe/versions/${v}`, { method: 'DELETE', headers: m.auth });
    assert.equal((await del(r1.version)).status, 204);
    assert.deepEqual(await m.blobs(), afterFirst, 'deleting one of two versions freed shared blobs');
    assert.equal((await del(r1.version)).status, 404);
    assert.equal((await del(r2.version)).status, 204);
    assert.deepEqual(await m.blobs(), before);
    const third = await pushDataset('dedupe', [T10K_LABELS], {
      url: m.url,
      format: 'idx',
      token: m.manager.token,
    });
    assert.equal(third.version, r2.version + 1, 'version numbers are never reused');
  });

  it('round-trips libsvm, npy and CSV through the API', async () => {
    const svm = '1 1:0.5 3:-2.25 10:1e-3\n-1 2:7\n0\n2.5 qid:3 1:1\n'.replace(' qid:3', '');
    const pushed = await post(m, 'svm/versions?format=libsvm', svm);
    assert.equal(pushed.status, 201, JSON.stringify(pushed.body));
    const text = await (await fetch(`${m.url}/api/v1/datasets/svm/versions/1/export?format=libsvm`)).text();
    assert.equal(text, '1 1:0.5 3:-2.25 10:0.001\n-1 2:7\n0\n2.5 1:1\n');
    const again = await post(m, 'svm/versions?format=libsvm', text);
    assert.equal(again.body.digest, pushed.body.digest, 'exported libsvm re-imports to identical shards');
    const reader = await openDataset('svm', { url: m.url, batchSize: 3, local: false });
    const batches = [];
    for await (const b of reader) batches.push(b);
    assert.deepEqual([...batches[0]!.columns.indptr!.data], [0, 3, 4, 4]);
    assert.deepEqual([...batches[1]!.columns.indptr!.data], [0, 1], 'each batch CSR is rebased to 0');
    assert.deepEqual([...batches[1]!.columns.indices!.data], [0]);
    assert.deepEqual([...batches[0]!.columns.values!.data], [0.5, -2.25, Math.fround(0.001), 7]);

    const data = Float32Array.from({ length: 300 }, (_, i) => i / 7 - 3);
    const file = npyBytes('float32', [100, 3], data);
    assert.equal((await post(m, 'arr/versions?format=npy', file)).status, 201);
    const back = Buffer.from(
      await (await fetch(`${m.url}/api/v1/datasets/arr/versions/latest/export?format=npy`)).arrayBuffer(),
    );
    assert.ok(back.equals(file), '.npy export is byte-identical');
    const fromNumpy = fixture('f4_2x3.npy');
    assert.equal((await post(m, 'np/versions?format=npy', fromNumpy)).status, 201);
    const np = Buffer.from(
      await (await fetch(`${m.url}/api/v1/datasets/np/versions/1/export?format=npy`)).arrayBuffer(),
    );
    assert.ok(np.subarray(np.length - 24).equals(fromNumpy.subarray(fromNumpy.length - 24)));

    const csv = await post(
      m,
      'iris/versions?format=csv&label=species',
      'a,b,species\n1.5,2,setosa\n3,4,virginica\n5,6,setosa\n',
    );
    assert.equal(csv.status, 201, JSON.stringify(csv.body));
    const rows = (await (
      await fetch(`${m.url}/api/v1/datasets/iris/versions/1/rows?offset=1&limit=5`)
    ).json()) as Json;
    assert.deepEqual(rows.rows, [
      { a: 3, b: 4, species: 1 },
      { a: 5, b: 6, species: 0 },
    ]);
    const manifest = (await (await fetch(`${m.url}/api/v1/datasets/iris/versions/1`)).json()) as Json;
    assert.deepEqual(manifest.meta.labelNames, ['setosa', 'virginica']);
    assert.equal(manifest.source.files[0].bytes, 50);
  });

  it('rejects malformed files with a 4xx naming the line/field, leaving no trace', async () => {
    const blobs = await m.blobs();
    const keys = await m.datasetKeys();
    const goodIdx = Buffer.alloc(8 + 3);
    goodIdx.writeUInt32BE(0x00000801, 0);
    goodIdx.writeUInt32BE(3, 4);
    const lyingNpy = Buffer.concat([writeNpyHeader('float32', [10, 3]), Buffer.alloc(4 * 29)]);
    const cases: Array<[string, string | Buffer, RegExp, Record<string, unknown>]> = [
      ['libsvm', '1 1:2\nabc 1:2\n', /line 2/, { line: 2 }],
      ['libsvm', '1 1:2\n1 3:1 2:1\n', /line 2/, { line: 2 }],
      ['idx', goodIdx.subarray(0, 9), /truncated/, { field: 'data' }],
      ['idx', Buffer.concat([Buffer.from([1, 2, 8, 1]), goodIdx.subarray(4)]), /magic/, { field: 'magic' }],
      ['csv', 'a,b\n1,2\n3\n', /line 3/, { line: 3 }],
      ['csv', 'a,b,a\n1,2,3\n', /duplicate/, { line: 1, field: 'header' }],
      ['npy', lyingNpy, /needs 120 data bytes, file has 116/, { field: 'shape' }],
    ];
    for (const [format, body, message, details] of cases) {
      const r = await post(m, `bad/versions?format=${format}`, body);
      assert.ok(r.status >= 400 && r.status < 500, `${format}: status ${r.status}`);
      assert.equal(r.body.error.code, 'INVALID');
      assert.match(r.body.error.message, message);
      for (const [k, v] of Object.entries(details))
        assert.equal(r.body.error.details[k], v, `${format}: details.${k}`);
    }
    assert.equal((await post(m, 'Bad_Name/versions?format=csv', 'a\n1\n')).status, 400);
    assert.equal((await post(m, 'x/versions?format=xml', 'a\n1\n')).body.error.details.field, 'format');
    assert.deepEqual(await m.blobs(), blobs);
    assert.deepEqual(await m.datasetKeys(), keys);
    const stream = await fetch(`${m.url}/api/v1/datasets/fashion/versions/1/stream?rank=3&worldSize=3`);
    assert.equal(stream.status, 400);
    assert.equal(((await stream.json()) as Json).error.details.field, 'rank');
    assert.equal((await fetch(`${m.url}/api/v1/datasets/nope/versions/1/stream`)).status, 404);
    assert.equal((await fetch(`${m.url}/api/v1/datasets/fashion/versions/9`)).status, 404);
  });

  it('answers 413 past the body limit, streaming or declared', async () => {
    const small = withDatasetViews(await testManager({ bodyLimit: 64 * 1024 }));
    try {
      const big = Buffer.alloc(256 * 1024, '1 1:1\n');
      const declared = await post(small, 'big/versions?format=libsvm', big);
      assert.equal(declared.status, 413);
      assert.equal(declared.body.error.code, 'TOO_LARGE');
      const chunks = (async function* () {
        for (let i = 0; i < 16; i++) yield big.subarray(i * 16384, (i + 1) * 16384);
      })();
      const streamed = await fetch(`${small.url}/api/v1/datasets/big/versions?format=libsvm`, {
        method: 'POST',
        body: ReadableStreamFrom(chunks),
        duplex: 'half',
      } as RequestInit);
      assert.equal(streamed.status, 413);
      assert.deepEqual(await small.datasetKeys(), []);
      assert.deepEqual(await small.blobs(), []);
    } finally {
      await small.close();
    }
  });

  it('says there is no manager when there is none', async () => {
    await assert.rejects(
      openDataset('fashion', { url: 'http://127.0.0.1:9' }),
      /no Swarmlab manager at http:\/\/127.0.0.1:9/,
    );
  });
});

function ReadableStreamFrom(it: AsyncIterable<Uint8Array>): ReadableStream<Uint8Array> {
  const i = it[Symbol.asyncIterator]();
  return new ReadableStream({
    async pull(c) {
      const n = await i.next();
      if (n.done) c.close();
      else c.enqueue(n.value);
    },
  });
}
