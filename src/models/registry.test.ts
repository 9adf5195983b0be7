// The registry through its HTTP API and the SDK, on a real manager with LMDB in a temp dir.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Manager } from '../app.js';
import { main } from '../cli/main.js';
import { InvalidError, type SwarmlabError } from '../errors/index.js';
import { SessionClient, type SwarmlabClient } from '../sdk/index.js';
import { ModelsClient } from '../sdk/models.js';
import { type TestManager, testManager } from '../testing/manager.js';
import { generationKey } from './keys.js';
import { ONNX_TYPES, onnxModel, safetensors, tfjs } from './testing/formats.js';

const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const weights = (...values: number[]) =>
  safetensors([{ name: 'w', dtype: 'F32', shape: [values.length], values }]);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe('model registry API', () => {
  let t: TestManager;
  let dir: string;
  let manager: Manager;
  let client: SwarmlabClient;
  let models: ModelsClient;

  before(async () => {
    t = await testManager({ logLevel: process.env.DEBUG_MODELS ? 'error' : 'silent' });
    ({ dir, manager, client } = t);
    models = new ModelsClient(client, {});
  });
  after(() => t?.close());

  it('saves immutable, numbered generations and serves their weights', async () => {
    const bytes = weights(1, 2);
    const g1 = await models.saveGeneration({
      model: 'mnist',
      type: 'classifier/mlp',
      format: 'safetensors',
      buffer: bytes,
      metrics: { accuracy: 0.9 },
    });
    assert.equal(g1.generation, 1);
    assert.equal(g1.stage, 'draft');
    assert.equal(g1.weights.digest, sha256(bytes));
    assert.deepEqual(
      g1.files.map((f) => f.name),
      ['model.safetensors'],
    );
    // Same bytes again: a new generation sharing the blob, with its lineage.
    const g2 = await models.saveGeneration({
      model: 'mnist',
      format: 'safetensors',
      buffer: bytes,
      parent: 1,
    });
    assert.deepEqual(
      [g2.generation, g2.parent, g2.type, g2.weights.digest],
      [2, 1, 'classifier/mlp', g1.weights.digest],
    );

    await models.setStage('mnist', 1, 'production');
    const doc = await manager.store.get(generationKey('mnist', 1));
    assert.equal(doc?.version, 1, 'a generation record is written once');
    const again = await models.generation('mnist', 'production');
    assert.equal(again.stage, 'production');
    assert.deepEqual({ ...again, stage: 'draft' }, g1);
    // There is no way to write over a generation.
    for (const method of ['PUT', 'PATCH', 'POST']) {
      const err = await client
        .fetch(method, '/api/v1/models/mnist/generations/1', { raw: bytes })
        .catch((e) => e);
      assert.equal((err as SwarmlabError).details.status, 404, method);
    }
    const res = await client.fetch('GET', '/api/v1/models/mnist/generations/1/weights');
    assert.equal(res.headers.get('x-swarmlab-sha256'), sha256(bytes));
    assert.deepEqual(new Uint8Array(await res.arrayBuffer()), new Uint8Array(bytes));
    const loaded = await models.loadGeneration('mnist');
    assert.equal(loaded.generation.generation, 1);
    assert.deepEqual(loaded.buffer, new Uint8Array(bytes));
    const missing = await models.generation('mnist', 'staging').catch((e) => e);
    assert.equal((missing as SwarmlabError).details.status, 404);
  });

  it('numbers concurrent saves without collisions and keeps exactly one production under concurrent promotions', async () => {
    const saved = await Promise.all(
      Array.from({ length: 8 }, (_, i) =>
        models.saveGeneration({ model: 'race', type: 'cv/tiny', format: 'safetensors', buffer: weights(i) }),
      ),
    );
    assert.deepEqual(
      saved.map((g) => g.generation).sort((a, b) => a - b),
      [1, 2, 3, 4, 5, 6, 7, 8],
    );
    await Promise.all(saved.map((g) => models.setStage('race', g.generation, 'production')));
    const view = await models.model('race');
    const stages = view.generationList.map((g) => g.stage);
    assert.equal(stages.filter((s) => s === 'production').length, 1);
    assert.equal(stages.filter((s) => s === 'archived').length, 7);
    const { entries } = await models.history('race');
    const promotions = entries.filter((e) => e.to === 'production');
    assert.equal(promotions.length, 8);
    assert.equal(promotions.at(-1)!.generation, view.production);
    // Every promotion displaced the one before it, in history order.
    for (let i = 1; i < promotions.length; i++) {
      const displaced = entries.find(
        (e) =>
          e.cursor < promotions[i]!.cursor &&
          e.generation === promotions[i - 1]!.generation &&
          e.to === 'archived',
      );
      assert.ok(displaced, `promotion ${i} archived its predecessor`);
    }
    const events = await manager.services.events.page({ model: 'race', types: ['model.promoted'] });
    assert.equal(events.events.length, 8 + 7);
  });

  it('answers which generation held each stage at any time', async () => {
    for (let i = 0; i < 3; i++) {
      await models.saveGeneration({
        model: 'hist',
        type: 'cv/tiny',
        format: 'safetensors',
        buffer: weights(10 + i),
      });
    }
    const before = Date.now();
    await sleep(5);
    await models.setStage('hist', 1, 'production', 'first release');
    await sleep(5);
    await models.setStage('hist', 2, 'staging');
    await sleep(5);
    await models.setStage('hist', 2, 'production');
    const { entries } = await models.history('hist');
    const time = (g: number, to: string) => entries.find((e) => e.generation === g && e.to === to)!.time;
    assert.equal(entries.find((e) => e.to === 'production' && e.generation === 1)!.reason, 'first release');
    const at = async (t: number | string) => {
      const s = await models.stagesAt('hist', t);
      return [s.production, s.staging];
    };
    assert.deepEqual(await at(before), [null, null]);
    assert.deepEqual(await at(time(1, 'production')), [1, null]);
    assert.deepEqual(await at(new Date(time(2, 'staging')).toISOString()), [1, 2]);
    assert.deepEqual(await at(time(2, 'production') - 1), [1, 2]);
    assert.deepEqual(await at(time(2, 'production')), [2, null]);
    assert.equal(time(1, 'archived'), time(2, 'production'));
    // Idempotent: no new history entry when the stage does not change.
    const same = await models.setStage('hist', 2, 'production');
    assert.deepEqual(same.changes, []);
    assert.equal((await models.history('hist')).entries.length, entries.length);
    const bad = await client
      .json('GET', '/api/v1/models/hist/history', { query: { at: 'yesterday' } })
      .catch((e) => e);
    assert.equal((bad as InvalidError).details.field, 'at');
  });

  it('keeps the last N plus every ever-staged generation, freeing blobs no one else uses', async () => {
    const X = weights(100);
    const Q = weights(101);
    const save = (buffer: Buffer) =>
      models.saveGeneration({ model: 'keep', type: 'cv/tiny', format: 'safetensors', buffer });
    await save(X); // 1, shares its blob with 6
    for (let i = 2; i <= 4; i++) await save(weights(200 + i));
    await save(Q); // 5, alone with its blob
    await save(X); // 6
    await save(weights(207)); // 7
    await models.setStage('keep', 2, 'production');
    await models.setStage('keep', 3, 'staging');
    await models.setStage('keep', 4, 'staging'); // 3 → archived, still ever-staged
    const pruned = await models.prune('keep', 2);
    assert.deepEqual(pruned.deleted, [1, 5]);
    assert.deepEqual(pruned.freed, [sha256(Q)]);
    assert.equal(await manager.store.statBlob(sha256(Q)), undefined);
    assert.ok(await manager.store.statBlob(sha256(X)), 'generation 6 still uses this blob');
    assert.deepEqual((await models.model('keep')).generations, [2, 3, 4, 6, 7]);
    assert.deepEqual((await models.loadGeneration('keep', { generation: 6 })).buffer, new Uint8Array(X));
    // A policy on the model applies now and after every save.
    const record = await models.setRetention('keep', 1);
    assert.deepEqual(record.generations, [2, 3, 4, 7]);
    assert.equal(await manager.store.statBlob(sha256(X)), undefined);
    await save(weights(208));
    assert.deepEqual((await models.model('keep')).generations, [2, 3, 4, 8]);
    // Numbers are never reused.
    assert.equal((await save(weights(209))).generation, 9);
    const refused = await models.deleteGeneration('keep', 'production').catch((e) => e);
    assert.equal((refused as SwarmlabError).details.status, 409);
    const deleted = await models.deleteGeneration('keep', 3);
    assert.deepEqual(deleted.deleted, [3]);
    assert.equal(deleted.freed.length, 1);
  });

  it('fills lineage from the session a generation is saved from', async () => {
    const { id } = await client.json<{ id: string }>('POST', '/api/v1/sessions', {
      body: { command: ['true'] },
    });
    const env = {
      SWARMLAB_URL: manager.url,
      SWARMLAB_TOKEN: manager.token,
      SWARMLAB_SESSION_ID: id,
      SWARMLAB_DATASET: 'digits@2',
    };
    const s = new SessionClient({ env });
    const g = await s.saveGeneration({
      model: 'lineage',
      type: 'cv/tiny',
      format: 'safetensors',
      buffer: weights(3),
    });
    assert.deepEqual([g.sessionId, g.dataset], [id, 'digits@2']);
    const events = await manager.services.events.page({ model: 'lineage', types: ['generation.saved'] });
    assert.equal(events.events[0]!.sessionId, id);
    const loaded = await s.loadGeneration('lineage', { stage: 'latest' });
    assert.deepEqual(loaded.buffer, new Uint8Array(weights(3)));
  });

  it('answers a save retried with its Idempotency-Key with 200 and the generation it made', async () => {
    const post = (key: string, body: Uint8Array) =>
      client.fetch('POST', '/api/v1/models/idem/generations', {
        raw: new Blob([new Uint8Array(body)]),
        headers: {
          'idempotency-key': key,
          'x-swarmlab-generation': JSON.stringify({ type: 'cv/tiny', format: 'safetensors' }),
        },
      });
    const first = await post('save-1', weights(3));
    const again = await post('save-1', weights(3));
    assert.deepEqual([first.status, again.status], [201, 200]);
    assert.deepEqual(await again.json(), await first.json());
    // The SDK sends the header too.
    const save = () =>
      models.saveGeneration({
        model: 'idem',
        format: 'safetensors',
        buffer: weights(4),
        idempotencyKey: 'sdk:2',
      });
    const [g2, retried] = [await save(), await save()];
    assert.deepEqual([g2.generation, retried.generation], [2, 2]);
    assert.deepEqual((await models.model('idem')).generations, [1, 2]);
    const bad = await post('no spaces', weights(5)).catch((e: SwarmlabError) => e);
    assert.ok(bad instanceof InvalidError, String(bad));
    assert.equal(bad.details.field, 'Idempotency-Key');
    const reused = await post('save-1', weights(6)).catch((e: SwarmlabError) => e);
    assert.equal((reused as SwarmlabError).details.status, 409);
  });

  it('refuses bad uploads with a 4xx naming the field, storing nothing', async () => {
    const attempt = async (name: string, meta: Record<string, unknown>, body: Uint8Array) => {
      const err = await client
        .json('POST', `/api/v1/models/${name}/generations`, {
          raw: new Blob([new Uint8Array(body)]),
          headers: { 'x-swarmlab-generation': JSON.stringify(meta) },
        })
        .then(
          () => assert.fail(`accepted ${JSON.stringify(meta)}`),
          (e: SwarmlabError) => e,
        );
      assert.ok((err.details.status as number) >= 400 && (err.details.status as number) < 500, String(err));
      assert.equal(await manager.store.statBlob(sha256(body)), undefined, 'no blob left behind');
      return err.details.field;
    };
    const good = weights(7, 7, 7);
    const corrupt = Buffer.from(good);
    corrupt.writeBigUInt64LE(5n, 0); // header length cut short: not JSON
    const huge = Buffer.from(good);
    huge.writeBigUInt64LE(1n << 40n, 0);
    const type = 'cv/tiny';
    assert.equal(await attempt('bad', { type, format: 'pickle' }, good), 'format');
    assert.equal(await attempt('Bad Name', { type, format: 'safetensors' }, good), 'model');
    assert.equal(await attempt('bad', { type: 'Not A Type', format: 'safetensors' }, good), 'type');
    assert.equal(await attempt('bad', { format: 'safetensors' }, good), 'type');
    assert.equal(await attempt('bad', { type, format: 'safetensors' }, corrupt), 'weights');
    assert.equal(await attempt('bad', { type, format: 'safetensors' }, huge), 'weights');
    assert.equal(
      await attempt('bad', { type, format: 'safetensors', metrics: { acc: 'high' } }, good),
      'metrics.acc',
    );
    assert.equal(await attempt('bad', { type, format: 'safetensors', bogus: 1 }, good), 'bogus');
    assert.equal(await attempt('bad', { type, format: 'tfjs' }, good), 'format');
    assert.equal(
      await attempt('bad', { type, format: 'onnx' }, Buffer.from('not a protobuf at all')),
      'weights',
    );
    assert.equal(await attempt('mnist', { type: 'cv/other', format: 'safetensors' }, good), 'type');
    assert.equal(await attempt('mnist', { format: 'safetensors', parent: 99 }, good), 'parent');
    assert.equal(await attempt('bad', { type, format: 'safetensors', sessionId: 'nope' }, good), 'sessionId');
    // The same upload done right, as curl would send it: raw body, metadata in the query.
    const res = await client.json<{ generation: number; files: { name: string }[] }>(
      'POST',
      '/api/v1/models/raw/generations',
      {
        raw: new Blob([new Uint8Array(good)]),
        query: { type, format: 'safetensors', metrics: '{"loss":0.1}', file: 'w.safetensors' },
      },
    );
    assert.deepEqual([res.generation, res.files[0]!.name], [1, 'w.safetensors']);
    // Multipart: a tfjs model whose shard is missing.
    const files = tfjs([{ name: 'w', dtype: 'float32', shape: [4], values: [1, 2, 3, 4] }], 8);
    delete files['group1-shard2of2.bin'];
    const err = await models
      .saveGeneration({ model: 'bad', type, format: 'tfjs', files })
      .catch((e: SwarmlabError) => e);
    assert.ok(err instanceof InvalidError);
    assert.equal(err.details.field, 'weights');
    assert.equal(err.details.file, 'group1-shard2of2.bin');
    assert.equal(await manager.store.get('models/bad'), undefined);
    assert.deepEqual(await manager.store.list('modelgen/bad/'), []);
  });

  it('takes multi-file generations from disk, serves each file, pulls them back and diffs across formats', async () => {
    const v1 = tfjs([{ name: 'dense/kernel', dtype: 'float32', shape: [2, 2], values: [1, 2, 3, 4] }], 12);
    const paths: Record<string, string> = {};
    for (const [name, bytes] of Object.entries(v1)) {
      paths[name] = join(dir, name);
      await writeFile(paths[name]!, bytes);
    }
    const g1 = await models.saveGeneration({
      model: 'web',
      type: 'classifier/mlp',
      format: 'tfjs',
      files: paths,
    });
    assert.equal(g1.weights.bundle, true);
    assert.equal(g1.primary, 'model.json');
    assert.equal(g1.files.length, 3);
    // A TF.js client resolves shard paths next to model.json.
    const shard = await client.fetch('GET', '/api/v1/models/web/generations/1/files/group1-shard2of2.bin');
    assert.deepEqual(new Uint8Array(await shard.arrayBuffer()), new Uint8Array(v1['group1-shard2of2.bin']!));
    const out = join(dir, 'pulled');
    const pulled = await models.pullGeneration('web', { stage: 'latest' }, out);
    assert.equal(pulled.paths.length, 3);
    assert.deepEqual(await readFile(join(out, 'model.json')), v1['model.json']);
    // Generation 2 is ONNX with the kernel changed in one place.
    const onnx = onnxModel([
      {
        name: 'dense/kernel',
        dims: [2, 2],
        dataType: ONNX_TYPES.FLOAT,
        values: [1, 2, 3, 6],
        storage: 'raw',
      },
    ]);
    await models.saveGeneration({ model: 'web', format: 'onnx', buffer: onnx, parent: 1 });
    const diff = await models.diff('web', 1, 2);
    const t = diff.tensors[0]!;
    assert.deepEqual([diff.a.format, diff.b.format], ['tfjs', 'onnx']);
    assert.equal(t.normDiff, 2);
    assert.equal(t.relativeChange, 2 / Math.sqrt(30));
    assert.equal(t.fractionChanged, 0.25);
    assert.equal(diff.summary.changedParameters, 1);
    const tolerant = await models.diff('web', 1, 'latest', 3);
    assert.equal(tolerant.summary.changedParameters, 0);
    const tree = await models.tree();
    const web = tree.types.find((x) => x.type === 'classifier/mlp')!.models.find((m) => m.name === 'web')!;
    assert.deepEqual(
      web.generations.map((g) => [g.generation, g.format]),
      [
        [1, 'tfjs'],
        [2, 'onnx'],
      ],
    );
  });

  it('works from the command line: push, promote, ls, diff, pull', async () => {
    const cli = async (...args: string[]) => {
      const chunks: string[] = [];
      const write = process.stdout.write;
      process.stdout.write = ((chunk: string) => chunks.push(String(chunk)) > 0) as typeof write;
      Object.assign(process.env, { SWARMLAB_URL: manager.url, SWARMLAB_TOKEN: manager.token });
      try {
        await main(['node', 'swarmlab', ...args]);
      } finally {
        process.stdout.write = write;
      }
      return chunks.join('');
    };
    const file = join(dir, 'cli.safetensors');
    await writeFile(file, weights(1, 2, 3));
    assert.match(
      await cli(
        'model',
        'push',
        'cli',
        file,
        '--format',
        'safetensors',
        '--type',
        'cv/cli',
        '--metrics',
        '{"accuracy":0.5}',
      ),
      /cli generation 1 saved/,
    );
    await writeFile(file, weights(1, 2, 4));
    await cli('model', 'push', 'cli', file, '--format', 'safetensors', '--parent', '1');
    assert.match(await cli('model', 'promote', 'cli', '2', '--stage', 'staging'), /cli 2: draft → staging/);
    assert.match(
      await cli('model', 'ls', '--type', 'cv/cli'),
      /cv\/cli\n└─ cli\n {3}├─ 1\s+safetensors.*accuracy=0\.5\n {3}└─ 2\s+\[staging\]/,
    );
    // ‖a‖ = √14, ‖b‖ = √21, ‖a−b‖ = 1, relative change 1/√14, cosine 17/√294, 1 of 3 changed.
    assert.match(
      await cli('model', 'diff', 'cli', '1', '2'),
      /w\s+\[3\]\s+compared\s+3\.742\s+4\.583\s+1\s+0\.2673\s+0\.9915\s+33\.33%/,
    );
    const out = join(dir, 'cli-pull');
    assert.match(await cli('model', 'pull', 'cli:staging', '-o', out), /generation 2 \(staging\)/);
    assert.deepEqual(await readFile(join(out, 'cli.safetensors')), weights(1, 2, 4));
  });
});
