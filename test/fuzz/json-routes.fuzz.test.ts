// Every JSON body route of a real manager (found from the registered routes) fed bodies no schema accepts: each case ends in a 4xx naming the field, never 5xx, and nothing is stored.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { USAGE_PREFIX } from '../../src/api/index.js';
import { safetensors } from '../../src/models/testing/formats.js';
import { fuzzParams } from './budget.js';
import { call, StatusTally } from './http.js';
import { bodyRoutes, fill, refusedBodies } from './json-routes.js';
import { startTestManager, type TestManager } from './manager.js';
import type { Json } from './mutate-json.js';

/** A valid body per route; a new JSON route fails the completeness check until it has one here. */
const SEEDS: Record<string, Record<string, Json>> = {
  'POST /api/v1/sessions': {
    name: 'fz',
    command: ['true'],
    env: { A: '1' },
    resources: { cpus: 0.5, memoryMb: 64 },
    priority: 1,
    params: { lr: 0.1 },
    tags: ['t'],
    project: 'p',
    models: ['fz-m'],
    rules: { onExit: { retry: 0 } },
  },
  'POST /api/v1/sessions/:id/stop': { reason: 'fuzz' },
  'POST /api/v1/sessions/:id/params': { params: { lr: 0.1 } },
  'POST /api/v1/sessions/:id/reports/:stream': {
    q: 1,
    points: { names: ['loss'], index: [0], value: [0.5], step: [1], time: [1000] },
    items: [{ k: 'log', t: 2001, lines: ['x'] }],
  },
  'PATCH /api/v1/models/:name': { keepLast: 3 },
  'POST /api/v1/models/:name/generations/:g/stage': { stage: 'staging', reason: 'fuzz' },
  'POST /api/v1/models/:name/prune': { keepLast: 5 },
  'PUT /api/v1/serving/:name': {
    batching: true,
    maxBatchSize: 8,
    maxDelayMs: 2,
    maxInflight: 2,
    canaryPercent: 0,
  },
  'POST /api/v1/tokens': { name: 'fz', role: 'read' },
  'POST /api/v1/sweeps': {
    name: 'fz',
    space: { lr: { kind: 'choice', values: [0.1, 0.2] } },
    algorithm: 'grid',
    seed: 1,
    metric: 'loss',
    mode: 'min',
    trials: 2,
    parallelism: 1,
    session: { command: ['true'] },
  },
  // The id is the running session's, no sweep's: the body is judged before the sweep is looked up.
  'POST /api/v1/sweeps/:id/stop': { reason: 'fuzz' },
};
/** Streamed uploads, not JSON: fuzzed by http-uploads.fuzz.test.ts (artifacts by the artifacts tests). */
const UPLOADS = [
  'POST /api/v1/datasets/:name/versions',
  'POST /api/v1/models/:name/generations',
  'PUT /api/v1/sessions/:id/artifacts/*',
];
/** Routes that take no body at all. */
const NO_BODY = ['POST /api/v1/retention/run', 'POST /api/v1/sessions/:id/checkpointable'];

const tally = new StatusTally();
let tm: TestManager;
const values: Record<string, string> = { name: 'fz-m', g: '1', stream: 'fuzz-stream-01' };

/**
 * Every document's version and the event cursor. Left out: the store lease (it renews itself) and the read cursors
 * of the archive's background readers (rules engine, sweep runner), which move on their own time.
 */
async function snapshot() {
  const docs = await tm.manager.store.list<unknown>('');
  const moving = (key: string) => key.includes('lease') || key.endsWith('/cursor');
  const versions = docs.filter((d) => !moving(d.key)).map((d) => `${d.key}@${d.version}`);
  return { versions, events: await tm.manager.services.events.lastCursor() };
}

before(async () => {
  tm = await startTestManager();
  const saved = await call(tm, tally, 'setup', {
    method: 'POST',
    path: '/api/v1/models/fz-m/generations?format=safetensors&type=fuzz/test',
    body: safetensors([{ name: 'w', shape: [2], dtype: 'F32', values: [1, 2] }]),
    headers: { 'content-type': 'application/octet-stream' },
  });
  assert.equal(saved.status, 201);
  const submitted = await call(tm, tally, 'setup', {
    method: 'POST',
    path: '/api/v1/sessions',
    body: JSON.stringify({ command: ['sleep', '600'] }),
    headers: { 'content-type': 'application/json' },
  });
  values.id = String(submitted.body.id);
  // Running, so a stop or a report that got through would change it.
  for (let s = submitted.body; s.state !== 'running'; ) {
    await new Promise((r) => setTimeout(r, 50));
    s = (await call(tm, tally, 'setup', { method: 'GET', path: `/api/v1/sessions/${values.id}` })).body;
  }
});
after(async () => {
  tally.print('every JSON body,');
  await tm?.close();
});

describe('every JSON body route refuses what no schema accepts', () => {
  it('has a seed body for every JSON route the server registers', async () => {
    const routes = await bodyRoutes(tm.manager.services);
    assert.deepEqual(routes, [...Object.keys(SEEDS), ...UPLOADS, ...NO_BODY].sort());
  });

  for (const [route, seed] of Object.entries(SEEDS)) {
    it(route, async () => {
      const [method, url] = route.split(' ') as [string, string];
      const path = fill(url, values);
      const before = await snapshot();
      await fc.assert(
        fc.asyncProperty(refusedBodies(seed), async ({ how, body }) => {
          const res = await call(tm, tally, route, {
            method,
            path,
            body: JSON.stringify(body),
            headers: { 'content-type': 'application/json' },
          });
          const e = res.body.error;
          assert.equal(res.status, 400, `${how}: ${res.status} ${JSON.stringify(res.body).slice(0, 300)}`);
          assert.equal(e?.code, 'INVALID');
          const field = e?.details.field;
          assert.ok(typeof field === 'string' && field.length > 0, `${how}: no field named: ${e?.message}`);
          assert.ok(e!.message.includes(field), `${how}: the message does not name ${field}: ${e!.message}`);
        }),
        fuzzParams(0.5),
      );
      assert.deepEqual(await snapshot(), before, 'nothing stored');
    });
  }

  it('stored no report of the running session', async () => {
    const metrics = await call(tm, tally, 'check', {
      method: 'GET',
      path: `/api/v1/sessions/${values.id}/metrics`,
    });
    // The manager's own usage samples (`sys/…`) are not reports.
    const reported = Object.keys(metrics.body.series as object).filter((k) => !k.startsWith(USAGE_PREFIX));
    assert.deepEqual(reported, []);
  });
});
