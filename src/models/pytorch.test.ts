// pytorch generations through the HTTP API on a real manager (LMDB): upload, refusal of hostile files, diffs.
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Manager } from '../app.js';
import type { SwarmlabError } from '../errors/index.js';
import type { SwarmlabClient } from '../sdk/index.js';
import { ModelsClient } from '../sdk/models.js';
import { type TestManager, testManager } from '../testing/manager.js';
import { safetensors } from './testing/formats.js';
import { checkpoint, pickleGlobal, pickleStr, type TorchTensor } from './testing/pytorch.js';

const FIXTURES = join(import.meta.dirname, 'tensors', 'pytorch', 'fixtures');
const sha256 = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const norm = (values: number[]) => Math.sqrt(values.reduce((s, v) => s + v * v, 0));
const close = (actual: number | null | undefined, expected: number, what: string) =>
  assert.ok(
    typeof actual === 'number' && Math.abs(actual - expected) <= 1e-9 * Math.max(1, expected),
    `${what}: ${actual} ≠ ${expected}`,
  );

describe('pytorch generations', () => {
  let t: TestManager;
  let manager: Manager;
  let client: SwarmlabClient;
  let models: ModelsClient;
  let tiny: Buffer;
  let torchSays: Record<string, { shape: number[]; values: number[] }>;

  before(async () => {
    t = await testManager();
    ({ manager, client } = t);
    models = new ModelsClient(client, {});
    tiny = await readFile(join(FIXTURES, 'tiny.pt'));
    torchSays = JSON.parse(await readFile(join(FIXTURES, 'tiny.json'), 'utf8'));
  });
  after(() => t?.close());

  it('keeps a torch.save checkpoint and diffs it against another checkpoint and another format', async () => {
    const save = (format: 'pytorch' | 'safetensors', buffer: Uint8Array) =>
      models.saveGeneration({ model: 'tiny', type: 'cv/tiny-cnn', format, buffer });
    const g1 = await save('pytorch', tiny);
    assert.deepEqual([g1.format, g1.primary, g1.weights.digest], ['pytorch', 'model.pt', sha256(tiny)]);
    // Generation 2: fc.weight zeroed, fc.bias moved by one, every other tensor gone.
    const weight = torchSays['model.fc.weight']!;
    const bias = torchSays['model.fc.bias']!;
    const moved = bias.values.map((v) => Math.fround(v + 1));
    await save(
      'pytorch',
      checkpoint([
        {
          name: 'model.fc.weight',
          storage: 'FloatStorage',
          values: weight.values.map(() => 0),
          shape: weight.shape,
        },
        { name: 'model.fc.bias', storage: 'FloatStorage', values: moved, shape: bias.shape },
      ]),
    );
    const diff = await models.diff('tiny', 1, 2);
    const byName = Object.fromEntries(diff.tensors.map((t) => [t.name, t]));
    close(byName['model.fc.weight']!.normA, norm(weight.values), 'fc.weight ‖a‖');
    assert.equal(byName['model.fc.weight']!.normB, 0);
    close(byName['model.fc.weight']!.normDiff, norm(weight.values), 'fc.weight ‖a−b‖');
    close(byName['model.fc.bias']!.normB, norm(moved), 'fc.bias ‖b‖');
    close(byName['model.fc.bias']!.normDiff, norm(moved.map((v, i) => v - bias.values[i]!)), 'fc.bias ‖a−b‖');
    assert.equal(diff.summary.removed, Object.keys(torchSays).length - 2);
    // Against safetensors holding torch's own values for the transposed view: equal.
    const fcT = torchSays['extra.fc_t']!;
    await save(
      'safetensors',
      safetensors([{ name: 'extra.fc_t', dtype: 'F32', shape: fcT.shape, values: fcT.values }]),
    );
    const across = await models.diff('tiny', 1, 3);
    const t = across.tensors.find((x) => x.name === 'extra.fc_t')!;
    assert.equal(t.status, 'compared');
    assert.equal(t.normDiff, 0);
    close(t.normA, norm(weight.values), 'fc_t is fc.weight transposed');
  });

  it('is not served: the model server says so and how to get a servable generation', async () => {
    await models.setStage('tiny', 1, 'production');
    const err = await client
      .json('POST', '/v2/models/tiny/infer', {
        body: { inputs: [{ name: 'x', shape: [1], datatype: 'FP32', data: [0] }] },
      })
      .then(
        () => assert.fail('served'),
        (e: SwarmlabError) => e,
      );
    assert.equal(err.details.status, 503, String(err));
    assert.match(err.message, /generation 1 of tiny is pytorch, which is not served; .*torch\.onnx\.export/);
  });

  it('refuses hostile checkpoints with a 400 naming the problem, storing nothing', async () => {
    const w: TorchTensor = { name: 'w', storage: 'FloatStorage', values: [1, 2], shape: [2] };
    const attempt = async (body: Uint8Array, pattern: RegExp) => {
      const err = await models
        .saveGeneration({ model: 'hostile', type: 'cv/tiny-cnn', format: 'pytorch', buffer: body })
        .then(
          () => assert.fail('accepted'),
          (e: SwarmlabError) => e,
        );
      assert.equal(err.details.status, 400, String(err));
      assert.match(err.message, pattern);
      assert.equal(await manager.store.statBlob(sha256(body)), undefined, 'no blob left behind');
    };
    const system = Buffer.concat([
      Buffer.from('\x80\x02', 'latin1'),
      pickleGlobal('os.system'),
      pickleStr('touch /tmp/pwned'),
      Buffer.from('\x85R.', 'latin1'),
    ]);
    await attempt(checkpoint([w], system), /global os\.system is not allowed/);
    await attempt(tiny.subarray(0, tiny.length - 100), /no zip end record/);
    await attempt(
      checkpoint([{ ...w, shape: [1 << 20, 1 << 20] }]),
      /tensor w: shape .* its storage holds 2/,
    );
    const missing = await models.model('hostile').catch((e: SwarmlabError) => e);
    assert.equal((missing as SwarmlabError).details.status, 404);
  });
});
