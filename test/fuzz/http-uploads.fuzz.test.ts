// Corpus run through a real manager: mutated dataset and weight files uploaded over HTTP end in 2xx or a 4xx naming the place, never 5xx, and a refused upload stores nothing.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import fc from 'fast-check';
import type { ImportFormat } from '../../src/datasets/formats/index.js';
import { FUZZ_RUNS, fuzzParams } from './budget.js';
import { call, StatusTally } from './http.js';
import { startTestManager, type TestManager } from './manager.js';
import { mutated } from './mutate.js';
import { DATASET_SEEDS, TFJS_SHARDS, WEIGHT_SEEDS } from './seeds.js';

/** Uploads cost a round trip and a store check each: a fifth of the parser runs. */
const SHARE = 0.2;
const tally = new StatusTally();
let tm: TestManager;
let n = 0;

before(async () => {
  tm = await startTestManager();
});
after(async () => {
  tally.print('HTTP uploads,');
  await tm?.close();
});

/** What a refused request must leave as it was: the dataset documents, the blobs, and the generations of `model`. */
async function stored(model?: string): Promise<string> {
  const generations = model
    ? await fetch(`${tm.url}/api/v1/models/${model}/generations`, { headers: tm.auth }).then((r) => r.text())
    : '';
  return JSON.stringify([await tm.datasetKeys(), await tm.blobs(), generations]);
}

const placeNamed = (details: Record<string, unknown>) =>
  ['field', 'line', 'file', 'offset'].some((k) => k in details);

/** A file name header as a client might send it, percent-encoding included or broken. */
const filename = fc.oneof(
  fc.constant(undefined),
  fc.constantFrom('data.bin', '%', '%E0%A4%A', 'a%2Fb', '..%2F..%2Fetc'),
  fc.string({ unit: fc.constantFrom(...'%aZ09.-_'.split('')), maxLength: 12 }),
);

describe('mutated files uploaded over HTTP', () => {
  for (const format of Object.keys(DATASET_SEEDS) as ImportFormat[]) {
    it(`datasets: ${format}`, async () => {
      await fc.assert(
        fc.asyncProperty(mutated(DATASET_SEEDS[format]), filename, async (m, name) => {
          const before = await stored();
          const res = await call(tm, tally, format, {
            method: 'POST',
            path: `/api/v1/datasets/fz-${format}-${n++}/versions?format=${format}`,
            body: m.bytes,
            headers: {
              'content-type': 'application/octet-stream',
              ...(name === undefined ? {} : { 'x-filename': name }),
            },
          });
          if (res.status >= 400) {
            assert.ok(placeNamed(res.body.error!.details), JSON.stringify(res.body));
            assert.equal(await stored(), before, 'a refused upload stored something');
          }
        }),
        fuzzParams(SHARE),
      );
    });
  }

  for (const format of Object.keys(WEIGHT_SEEDS) as (keyof typeof WEIGHT_SEEDS)[]) {
    it(`weights: ${format}, and a diff against the unmutated first generation`, async () => {
      const model = `fz-${format}`;
      const save = (file: string, bytes: Uint8Array) => {
        if (format !== 'tfjs') {
          const path = `/api/v1/models/${model}/generations?format=${format}&type=fuzz/test&file=${file}`;
          return {
            method: 'POST',
            path,
            body: bytes,
            headers: { 'content-type': 'application/octet-stream' },
          };
        }
        const form = new FormData();
        form.set('metadata', JSON.stringify({ format, type: 'fuzz/test' }));
        form.append(file, new Blob([bytes]), file);
        for (const [name, shard] of Object.entries(TFJS_SHARDS)) form.append(name, new Blob([shard]), name);
        return { method: 'POST', path: `/api/v1/models/${model}/generations`, body: form };
      };
      const [seedName, seed] = Object.entries(WEIGHT_SEEDS[format])[0]!;
      assert.equal((await call(tm, tally, `${format} seed`, save(seedName, seed))).status, 201);
      await fc.assert(
        fc.asyncProperty(mutated(WEIGHT_SEEDS[format]), async (m) => {
          const before = await stored(model);
          const res = await call(tm, tally, format, save(m.seed, m.bytes));
          if (res.status >= 400) {
            assert.ok(placeNamed(res.body.error!.details), JSON.stringify(res.body));
            assert.equal(await stored(model), before, 'a refused save stored something');
            return;
          }
          await call(tm, tally, `${format} diff`, {
            method: 'GET',
            path: `/api/v1/models/${model}/diff?a=1&b=latest`,
          });
        }),
        fuzzParams(SHARE),
      );
    });
  }

  it('regression: a broken percent-escape in x-filename is a 400 naming the header (was a 500)', async () => {
    const before = await stored();
    const res = await call(tm, tally, 'x-filename', {
      method: 'POST',
      path: '/api/v1/datasets/fz-name/versions?format=csv',
      body: 'a,b\n1,2\n',
      headers: { 'content-type': 'text/csv', 'x-filename': '%E0%A4%A' },
    });
    assert.equal(res.status, 400);
    assert.equal(res.body.error!.details.field, 'x-filename');
    assert.equal(await stored(), before);
  });

  it('the manager is still up', async () => {
    assert.equal((await fetch(`${tm.url}/api/v1/datasets`, { headers: tm.auth })).status, 200);
    assert.ok(FUZZ_RUNS > 0);
  });
});
