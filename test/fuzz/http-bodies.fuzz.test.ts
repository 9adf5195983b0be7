// Corpus run through a real manager: mutated JSON bodies to session submit (with rules), stage change and report batches end in 2xx or a 4xx, never 5xx.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import { fuzzParams } from './budget.js';
import { call, StatusTally } from './http.js';
import { startTestManager, type TestManager } from './manager.js';
import { type Json, mutatedJson } from './mutate-json.js';
import { WEIGHT_SEEDS } from './seeds.js';

const tally = new StatusTally();
let tm: TestManager;
let session = '';

before(async () => {
  tm = await startTestManager();
  const res = await call(tm, tally, 'setup', {
    method: 'POST',
    path: '/api/v1/models/fz-stage/generations?format=safetensors&type=fuzz/test',
    body: WEIGHT_SEEDS.safetensors['model.safetensors'],
    headers: { 'content-type': 'application/octet-stream' },
  });
  assert.equal(res.status, 201);
  const submitted = await call(tm, tally, 'setup', {
    method: 'POST',
    path: '/api/v1/sessions',
    body: JSON.stringify({ command: ['true'] }),
    headers: { 'content-type': 'application/json' },
  });
  session = String(submitted.body.id);
});
after(async () => {
  tally.print('HTTP JSON bodies,');
  await tm?.close();
});

/** Endpoint, path and a valid body for each; a submit that gets through runs `true`, which exits at once. */
const endpoints = () => ({
  'session submit + rules': {
    path: '/api/v1/sessions',
    body: {
      name: 'fuzz',
      command: ['true'],
      env: { A: '1' },
      resources: { cpus: 0.5, memoryMb: 64 },
      priority: 1,
      maxRuntimeMs: 5000,
      rules: {
        onExit: { retry: 1 },
        accept: [
          { metric: 'val_accuracy', stage: 'staging', atLeast: 0.6, weightsDiff: { maxRelativeChange: 0.1 } },
        ],
      },
    },
  },
  'stage change': {
    path: '/api/v1/models/fz-stage/generations/1/stage',
    body: { stage: 'staging', reason: 'fuzz' },
  },
  'report batch': {
    path: `/api/v1/sessions/${session}/reports/stream-fuzz0001`,
    body: {
      q: 1,
      points: {
        names: ['loss', 'lr'],
        index: [0, 1, 0],
        value: [0.5, 0.001, 'NaN'],
        step: [10, 10, 11],
        time: [1000, 1000, 1001],
      },
      items: [
        { k: 'epoch', t: 2000, epoch: 1, total: 9, metrics: { val_loss: 'Infinity', acc: 0.5 } },
        { k: 'log', t: 2001, lines: ['batch 1'] },
      ],
    },
  },
});

describe('mutated JSON bodies', () => {
  for (const what of ['session submit + rules', 'stage change', 'report batch'] as const) {
    it(what, async () => {
      const { path, body } = endpoints()[what];
      const valid = await call(tm, tally, `${what} (valid)`, {
        method: 'POST',
        path,
        body: JSON.stringify(body),
        headers: { 'content-type': 'application/json' },
      });
      assert.ok(valid.status < 300, JSON.stringify(valid.body));
      await fc.assert(
        fc.asyncProperty(mutatedJson(body as Json), async (text) => {
          await call(tm, tally, what, {
            method: 'POST',
            path,
            body: text,
            headers: { 'content-type': 'application/json' },
          });
        }),
        fuzzParams(0.2),
      );
    });
  }
});
