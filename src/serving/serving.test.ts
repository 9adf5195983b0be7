// The model server through real HTTP on a real manager (LMDB in a temp dir), real onnxruntime-node and TF.js wasm.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import type { Manager } from '../app.js';
import type { ModelsClient } from '../sdk/models.js';
import { type TestManager, testManager } from '../testing/manager.js';
import { brokenOnnx, mlpOnnx, randomLayers } from './testing/onnx-builder.js';
import { type OnnxRegistry, onnxRegistry } from './testing/registry.js';
import { tinyTfjsModel } from './testing/tfjs-model.js';

const IN = 8;
const OUT = 3;
const row = (i: number) => Array.from({ length: IN }, (_, k) => Math.sin(i * 7 + k));

function close(actual: number[][], expected: number[][], tol = 1e-5) {
  assert.equal(actual.length, expected.length);
  for (const [i, r] of actual.entries()) {
    for (const [k, v] of r.entries()) {
      assert.ok(Math.abs(v - expected[i]![k]!) <= tol, `row ${i} col ${k}: ${v} vs ${expected[i]![k]}`);
    }
  }
}

async function direct(bytes: Uint8Array, rows: number[][]): Promise<number[][]> {
  const s = await ort.InferenceSession.create(bytes);
  const r = await s.run({
    input: new ort.Tensor('float32', Float32Array.from(rows.flat()), [rows.length, IN]),
  });
  const data = Array.from(r.probabilities!.data as Float32Array);
  await s.release();
  return rows.map((_, i) => data.slice(i * OUT, (i + 1) * OUT));
}

describe('model serving (/v1, /v2)', () => {
  let t: TestManager;
  let manager: Manager;
  let models: ModelsClient;
  const onnx1 = mlpOnnx({ layers: randomLayers([IN, 16, OUT], 1) });
  const onnx2 = mlpOnnx({ layers: randomLayers([IN, 16, OUT], 2) });
  const onnx3 = mlpOnnx({ layers: randomLayers([IN, 16, OUT], 3) });

  const post = async (path: string, body: unknown) => {
    const res = await fetch(manager.url + path, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
    return {
      status: res.status,
      generation: res.headers.get('x-swarmlab-generation'),
      connection: res.headers.get('connection'),
      // biome-ignore lint/suspicious/noExplicitAny: response bodies of many shapes, asserted field by field
      body: (await res.json()) as any,
    };
  };
  const get = async (path: string) => {
    const res = await fetch(manager.url + path);
    // biome-ignore lint/suspicious/noExplicitAny: response bodies of many shapes, asserted field by field
    return { status: res.status, body: (await res.json()) as any };
  };
  let save: OnnxRegistry['save'];

  before(async () => {
    t = await testManager({ localNode: false, logLevel: process.env.DEBUG_SERVING ? 'debug' : 'silent' });
    manager = t.manager;
    ({ models, save } = onnxRegistry(t));
    await save('mlp', onnx1, 'production');
  });
  after(() => t.close());

  it('answers TF-Serving and KServe v2 requests on an ONNX model as the runtime does directly', async () => {
    const rows = [row(1), row(2), row(3)];
    const want = await direct(onnx1, rows);
    const v1 = await post('/v1/models/mlp:predict', { instances: rows });
    assert.equal(v1.status, 200, JSON.stringify(v1.body));
    assert.equal(v1.generation, '1');
    close(v1.body.predictions, want);
    const col = await post('/v1/models/mlp/labels/production:predict', { inputs: { input: rows } });
    close(col.body.outputs, want);
    const v2 = await post('/v2/models/mlp/infer', {
      id: 'r1',
      inputs: [{ name: 'input', shape: [3, IN], datatype: 'FP32', data: rows.flat() }],
    });
    assert.equal(v2.status, 200, JSON.stringify(v2.body));
    assert.equal(v2.body.id, 'r1');
    assert.equal(v2.body.model_version, '1');
    const out = v2.body.outputs[0];
    assert.deepEqual([out.name, out.datatype, out.shape], ['probabilities', 'FP32', [3, OUT]]);
    close(
      [0, 1, 2].map((i) => out.data.slice(i * OUT, (i + 1) * OUT)),
      want,
    );

    // Binary tensor extension: raw FP32 in after the JSON header, raw FP32 out.
    const header = Buffer.from(
      JSON.stringify({
        inputs: [
          { name: 'input', shape: [3, IN], datatype: 'FP32', parameters: { binary_data_size: 3 * IN * 4 } },
        ],
        outputs: [{ name: 'probabilities', parameters: { binary_data: true } }],
      }),
    );
    const bin = await fetch(`${manager.url}/v2/models/mlp/infer`, {
      method: 'POST',
      headers: {
        'content-type': 'application/octet-stream',
        'inference-header-content-length': String(header.length),
      },
      body: Buffer.concat([header, Buffer.from(Float32Array.from(rows.flat()).buffer)]),
    });
    assert.equal(bin.status, 200);
    const bytes = Buffer.from(await bin.arrayBuffer());
    const jsonLength = Number(bin.headers.get('inference-header-content-length'));
    const doc = JSON.parse(bytes.toString('utf8', 0, jsonLength));
    assert.deepEqual(doc.outputs[0].parameters, { binary_data_size: 3 * OUT * 4 });
    const floats = new Float32Array(
      bytes.buffer.slice(bytes.byteOffset + jsonLength, bytes.byteOffset + bytes.length),
    );
    close(
      [0, 1, 2].map((i) => Array.from(floats.slice(i * OUT, (i + 1) * OUT))),
      want,
    );

    const status = await get('/v1/models/mlp');
    assert.equal(status.body.model_version_status[0].state, 'AVAILABLE');
    const meta = await get('/v1/models/mlp/metadata');
    const sig = meta.body.metadata.signature_def.signature_def.serving_default;
    assert.deepEqual(
      sig.inputs.input.tensor_shape.dim.map((d: { size: string }) => d.size),
      ['-1', String(IN)],
    );
    const meta2 = await get('/v2/models/mlp');
    assert.deepEqual(meta2.body.inputs, [{ name: 'input', datatype: 'FP32', shape: [-1, IN] }]);
    assert.deepEqual((await get('/v2/models/mlp/ready')).body.ready, true);
    assert.deepEqual((await get('/v2/health/ready')).body, { ready: true });
  });

  it('serves a TF.js generation from the registry on the wasm backend', async () => {
    const { model, files } = await tinyTfjsModel([IN, 12, OUT]);
    const g = await models.saveGeneration({
      model: 'tiny-tfjs',
      type: 'classifier/mlp',
      format: 'tfjs',
      files,
    });
    await models.setStage('tiny-tfjs', g.generation, 'production');
    const rows = [row(4), row(5)];
    const y = model.predict(tf.tensor2d(rows)) as tf.Tensor;
    const flat = Array.from(await y.data());
    y.dispose();
    const want = rows.map((_, i) => flat.slice(i * OUT, (i + 1) * OUT));
    const meta = await get('/v2/models/tiny-tfjs');
    assert.equal(meta.body.platform, 'tensorflow_js');
    const inputName = meta.body.inputs[0].name as string;
    const v1 = await post('/v1/models/tiny-tfjs:predict', { instances: rows });
    assert.equal(v1.status, 200, JSON.stringify(v1.body));
    close(v1.body.predictions, want);
    const v2 = await post('/v2/models/tiny-tfjs/infer', {
      inputs: [{ name: inputName, shape: [2, IN], datatype: 'FP32', data: rows }],
    });
    assert.equal(v2.status, 200, JSON.stringify(v2.body));
    close(
      [0, 1].map((i) => v2.body.outputs[0].data.slice(i * OUT, (i + 1) * OUT)),
      want,
    );
  });

  it('refuses bad requests with 400s that say what was expected, 404 for unknown models and versions', async () => {
    const cases: Array<[string, unknown, RegExp]> = [
      ['/v1/models/mlp:predict', { nothing: 1 }, /either "instances".*or "inputs"/],
      ['/v1/models/mlp:predict', { instances: [] }, /non-empty array/],
      ['/v1/models/mlp:predict', { instances: [[1, 2, 3]] }, /shape \[1, 3\]; the model expects \[-1, 8\]/],
      ['/v1/models/mlp:predict', { instances: [row(1), [1, 2]] }, /ragged/],
      ['/v1/models/mlp:predict', { instances: [[...row(1).slice(1), 'x']] }, /expected a float32 number/],
      ['/v1/models/mlp:predict', { inputs: { nope: [row(1)] } }, /unknown input "nope".*inputs are input/],
      [
        '/v2/models/mlp/infer',
        { inputs: [{ name: 'x', shape: [1, IN], datatype: 'FP32', data: row(1) }] },
        /unknown input "x"/,
      ],
      [
        '/v2/models/mlp/infer',
        { inputs: [{ name: 'input', shape: [1, IN], datatype: 'INT64', data: row(1) }] },
        /input is FP32, got INT64/,
      ],
      [
        '/v2/models/mlp/infer',
        { inputs: [{ name: 'input', shape: [1, 4], datatype: 'FP32', data: [1, 2, 3, 4] }] },
        /expects \[-1, 8\]/,
      ],
      [
        '/v2/models/mlp/infer',
        { inputs: [{ name: 'input', shape: [2, IN], datatype: 'FP32', data: row(1) }] },
        /8 elements for shape \[2, 8\], which holds 16/,
      ],
      [
        '/v2/models/mlp/infer',
        { inputs: [{ name: 'input', shape: [1, IN], datatype: 'FP99', data: row(1) }] },
        /datatype: expected one of/,
      ],
      [
        '/v2/models/mlp/infer',
        {
          inputs: [{ name: 'input', shape: [1, IN], datatype: 'FP32', data: row(1) }],
          outputs: [{ name: 'nope' }],
        },
        /unknown output "nope"/,
      ],
      ['/v2/models/mlp/infer', { inputs: 'x' }, /non-empty array/],
      [
        '/v2/models/mlp/infer',
        {
          inputs: [{ name: 'input', shape: [1, IN], datatype: 'FP32', parameters: { binary_data_size: 32 } }],
        },
        /binary_data_size: 32 bytes do not fit the 0 binary bytes/,
      ],
    ];
    for (const [path, body, message] of cases) {
      const r = await post(path, body);
      assert.equal(r.status, 400, `${JSON.stringify(body)} → ${r.status} ${JSON.stringify(r.body)}`);
      assert.equal(r.body.error.code, 'INVALID');
      assert.match(r.body.error.message, message);
    }
    const shape = await post('/v1/models/mlp:predict', { instances: [[1, 2, 3]] });
    assert.deepEqual(shape.body.error.details.expected, [-1, IN]);
    for (const [path, body] of [
      ['/v1/models/nosuch:predict', { instances: [row(1)] }],
      ['/v2/models/nosuch/infer', { inputs: [] }],
      ['/v1/models/mlp/versions/99:predict', { instances: [row(1)] }],
      ['/v1/models/mlp/labels/staging:predict', { instances: [row(1)] }],
      ['/v1/models/mlp/labels/canary:predict', { instances: [row(1)] }],
      ['/v1/models/mlp:classify', { instances: [row(1)] }],
    ] as const) {
      const r = await post(path, body);
      assert.equal(r.status, 404, `${path} → ${r.status} ${JSON.stringify(r.body)}`);
    }
    assert.equal((await get('/v2/models/nosuch/ready')).status, 404);
  });

  it('reports a model that fails to load (503 with the reason) while other models keep serving', async () => {
    await save('broken', brokenOnnx(), 'production');
    const r = await post('/v1/models/broken:predict', { instances: [[1, 2, 3, 4]] });
    assert.equal(r.status, 503);
    assert.notEqual(r.connection, 'close', 'a 503 for a broken model keeps the connection');
    assert.match(r.body.error.message, /failed to load.*NoSuchOperator/);
    const status = await get('/v1/models/broken');
    assert.equal(status.body.model_version_status[0].state, 'END');
    assert.match(status.body.model_version_status[0].status.error_message, /NoSuchOperator/);
    const ready = await get('/v2/models/broken/ready');
    assert.equal(ready.body.ready, false);
    assert.match(ready.body.reason, /NoSuchOperator/);
    assert.equal((await post('/v1/models/mlp:predict', { instances: [row(1)] })).status, 200);
  });

  it('merges concurrent requests into batches, each client getting its own rows back', async () => {
    await save('other', onnx3, 'production');
    const cfg = await fetch(`${manager.url}/api/v1/serving/mlp`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ maxDelayMs: 20, maxBatchSize: 64, maxInflight: 1 }),
    });
    assert.equal(cfg.status, 200);
    const before = await batchStats(manager.url);
    const rows = Array.from({ length: 24 }, (_, i) => row(100 + i));
    const [want1, want3] = [await direct(onnx1, rows), await direct(onnx3, rows)];
    // Concurrent requests of one and two rows, on two models at once: no result may land with another client.
    const results = await Promise.all(
      rows.map(async (r, i) => {
        const model = i % 3 === 0 ? 'other' : 'mlp';
        const body = i % 2 === 0 ? { instances: [r, r] } : { instances: [r] };
        return { i, model, res: await post(`/v1/models/${model}:predict`, body) };
      }),
    );
    for (const { i, model, res } of results) {
      assert.equal(res.status, 200);
      const want = (model === 'other' ? want3 : want1)[i]!;
      close(res.body.predictions, i % 2 === 0 ? [want, want] : [want]);
    }
    const after = await batchStats(manager.url);
    const batches = after.count - before.count;
    const rowsRun = after.sum - before.sum;
    assert.ok(rowsRun / batches > 1, `mean batch size ${rowsRun / batches} over ${batches} batches`);
  });

  it('hot-swaps a promotion under load with zero failed requests, never going back', async () => {
    const g2 = await save('mlp', onnx2);
    const probe = [row(9)];
    const [want1, want2] = [await direct(onnx1, probe), await direct(onnx2, probe)];
    let stop = false;
    let failures = 0;
    let total = 0;
    const seen: string[][] = [];
    const client = async (c: number) => {
      seen[c] = [];
      while (!stop) {
        const r = await post('/v1/models/mlp:predict', { instances: probe });
        total++;
        if (r.status !== 200) {
          failures++;
          continue;
        }
        seen[c]!.push(r.generation!);
        close(r.body.predictions, r.generation === '1' ? want1 : want2);
      }
    };
    const clients = Array.from({ length: 8 }, (_, c) => client(c));
    await new Promise((r) => setTimeout(r, 300));
    await models.setStage('mlp', g2, 'production');
    const deadline = Date.now() + 10_000;
    while (!seen.every((s) => s.at(-1) === String(g2)) && Date.now() < deadline)
      await new Promise((r) => setTimeout(r, 50));
    await new Promise((r) => setTimeout(r, 200));
    stop = true;
    await Promise.all(clients);
    assert.equal(failures, 0, `${failures} of ${total} requests failed`);
    for (const s of seen) {
      const first2 = s.indexOf(String(g2));
      assert.ok(first2 > 0, 'each client saw generation 1 then 2');
      assert.ok(
        s.slice(first2).every((g) => g === String(g2)),
        `a client went back: ${s.join(',')}`,
      );
    }
    const status = await get('/api/v1/serving/mlp');
    assert.deepEqual(
      status.body.generations.map((g: { generation: number }) => g.generation),
      [g2],
      'the old generation was unloaded',
    );
  });

  it('routes the configured canary share to staging (±5% over 2,000 requests)', async () => {
    const g3 = await save('mlp', onnx3, 'staging');
    const put = await fetch(`${manager.url}/api/v1/serving/mlp`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ canaryPercent: 30 }),
    });
    assert.equal(put.status, 200);
    let staging = 0;
    let done = 0;
    const client = async () => {
      while (done < 2000) {
        done++;
        const r = await post('/v1/models/mlp:predict', { instances: [row(1)] });
        assert.equal(r.status, 200);
        if (r.generation === String(g3)) staging++;
      }
    };
    await Promise.all(Array.from({ length: 16 }, client));
    const share = staging / done;
    assert.ok(Math.abs(share - 0.3) <= 0.05, `staging answered ${(share * 100).toFixed(1)}%`);
    const metrics = await (await fetch(`${manager.url}/metrics`)).text();
    assert.match(
      metrics,
      /swarmlab_serving_requests_total\{model="mlp",generation="\d+",protocol="v1",code="200"\} \d+/,
    );
    assert.match(metrics, /swarmlab_serving_queue_depth\{model="mlp"\} 0/);
    // The HTTP series count inference too, by route pattern, though it skips the router.
    const http =
      /swarmlab_http_requests_total\{method="POST",route="\/v1\/models\/:verb",status="200"\} (\d+)/;
    assert.ok(Number(http.exec(metrics)?.[1]) >= 2000, 'inference requests in the HTTP series');
    // Unknown model names open no per-model series.
    assert.doesNotMatch(metrics, /model="nosuch"/);
  });

  it('takes what `curl -d` sends (a form content type) as JSON, and pinned versions on both protocols', async () => {
    const res = await fetch(`${manager.url}/v1/models/mlp/versions/1:predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: JSON.stringify({ instances: [row(1)] }),
    });
    assert.equal(res.status, 200);
    close(((await res.json()) as { predictions: number[][] }).predictions, await direct(onnx1, [row(1)]));
    const input = { inputs: [{ name: 'input', shape: [1, IN], datatype: 'FP32', data: row(1) }] };
    const pinned = await post('/v2/models/mlp/versions/1/infer', input);
    assert.equal(pinned.status, 200, JSON.stringify(pinned.body));
    assert.equal(pinned.body.model_version, '1');
    assert.equal(
      (await post('/v2/models/ml%70/versions/1/infer', input)).status,
      200,
      'percent-encoded name',
    );
    assert.equal((await post('/v2/models/mlp/versions/one/infer', input)).status, 404);
    assert.equal((await post('/v2/models/mlp/versions/1/explain', input)).status, 404);
  });
});

async function batchStats(url: string): Promise<{ sum: number; count: number }> {
  const text = await (await fetch(`${url}/metrics`)).text();
  const num = (name: string) =>
    Number(new RegExp(`^${name}\\{model="mlp"\\} (\\S+)$`, 'm').exec(text)?.[1] ?? 0);
  return { sum: num('swarmlab_serving_batch_size_sum'), count: num('swarmlab_serving_batch_size_count') };
}
