// `swarmlab serve`'s parts: a serving-only HTTP server reading a manager over HTTP and following its events.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import type { Manager } from '../app.js';
import { HttpModelSource } from '../sdk/index.js';
import type { ModelsClient } from '../sdk/models.js';
import { buildServingServer } from '../server/index.js';
import { type TestManager, testManager } from '../testing/manager.js';
import { ModelServer } from './index.js';
import { mlpOnnx, randomLayers } from './testing/onnx-builder.js';
import { onnxRegistry } from './testing/registry.js';

describe('standalone model server (swarmlab serve)', () => {
  let t: TestManager;
  let manager: Manager;
  let models: ModelsClient;
  let serving: ModelServer;
  let app: FastifyInstance;
  let url: string;

  before(async () => {
    t = await testManager({ localNode: false });
    const { client } = t;
    manager = t.manager;
    const registry = onnxRegistry(t);
    models = registry.models;
    await registry.save('mlp', mlpOnnx({ layers: randomLayers([4, 8, 2], 1) }), 'production');
    await registry.save('mlp', mlpOnnx({ layers: randomLayers([4, 8, 2], 2) }));
    const logger = pino({ level: 'silent' });
    serving = new ModelServer({ source: new HttpModelSource(client), logger, models: ['mlp'], eager: true });
    await serving.start();
    app = await buildServingServer({
      serving,
      logger,
      token: manager.token,
      requireToken: false,
      exposed: false,
    });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  after(async () => {
    await app.close();
    await serving.close();
    await t.close();
  });

  const predict = async (model: string) => {
    const res = await fetch(`${url}/v1/models/${model}:predict`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ instances: [[1, 2, 3, 4]] }),
    });
    return { status: res.status, generation: res.headers.get('x-swarmlab-generation') };
  };

  it('loads the listed models at start, serves them, and refuses others', async () => {
    const status = await (await fetch(`${url}/api/v1/serving`)).json();
    assert.equal(
      (status as { models: { generations: { state: string }[] }[] }).models[0]!.generations[0]!.state,
      'ready',
    );
    assert.deepEqual(await predict('mlp'), { status: 200, generation: '1' });
    assert.equal((await predict('other')).status, 404);
    assert.match(await (await fetch(`${url}/metrics`)).text(), /swarmlab_serving_requests_total/);
  });

  it('hot-swaps when the manager promotes a generation (events over WebSocket)', async () => {
    await models.setStage('mlp', 2, 'production');
    const deadline = Date.now() + 10_000;
    let last = await predict('mlp');
    while (last.generation !== '2' && Date.now() < deadline) {
      assert.equal(last.status, 200);
      await new Promise((r) => setTimeout(r, 25));
      last = await predict('mlp');
    }
    assert.deepEqual(last, { status: 200, generation: '2' });
  });
});
