// The Fashion-MNIST training script is deterministic given its seed: one config run twice as real sessions (at
// once, as a sweep runs its trials) reports the same metrics bit for bit; another seed reports others. The sweep
// bench's ASHA-vs-grid comparison rests on this.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type SessionSpec, USAGE_PREFIX } from '../src/api/index.js';
import { T10K_IMAGES, T10K_LABELS } from '../src/datasets/testing/fixtures.js';
import { pushDataset, SessionsClient } from '../src/sdk/index.js';
import { type TestManager, testManager } from '../src/testing/manager.js';
import { waitForSession } from '../src/testing/sessions.js';

const TRAIN = fileURLToPath(new URL('../examples/fashion-mnist/train.ts', import.meta.url));
const ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Each metric's values by epoch (the API's series without their report times, which differ run to run). */
type Series = Record<string, { step: number[]; value: number[] }>;

describe('examples/fashion-mnist/train.ts with a seed', () => {
  let t: TestManager;
  let sessions: SessionsClient;
  let dataset: string;

  before(async () => {
    assert.ok(existsSync(T10K_IMAGES), `${T10K_IMAGES} missing: install Debian's dataset-fashion-mnist`);
    t = await testManager();
    sessions = new SessionsClient(t.client);
    const pushed = await pushDataset('t10k', [T10K_IMAGES, T10K_LABELS], {
      url: t.url,
      token: t.token,
      format: 'idx',
    });
    dataset = `t10k@${pushed.version}`;
  });
  after(() => t?.close());

  /** Trains 2 epochs of a small MLP on 1,000 rows (500 held out) and returns its metric series. */
  async function train(seed: number): Promise<Series> {
    const spec: SessionSpec = {
      command: [process.execPath, '--import', 'tsx', TRAIN],
      cwd: ROOT,
      dataset,
      params: { seed },
      resources: { cpus: 1, memoryMb: 1024 },
      env: {
        FASHION_EPOCHS: '2',
        FASHION_HIDDEN: '32',
        FASHION_TRAIN_ROWS: '1000',
        FASHION_VAL_ROWS: '500',
        FASHION_MODEL: `seed-${seed}`,
      },
    };
    const s = await sessions.submit(spec);
    const done = await waitForSession(t.client, s.id, (r) => r.endedAt !== undefined, 120_000);
    assert.equal(done.state, 'succeeded', `session ${s.id} ${done.state}: ${done.reason ?? ''}`);
    const page = await t.client.json<{ series: Series }>('GET', `/api/v1/sessions/${s.id}/metrics`, {
      query: { maxPoints: 0 },
    });
    // The training series only: the manager's usage samples (sys/…) are not results, and differ run to run.
    return Object.fromEntries(
      Object.entries(page.series)
        .filter(([name]) => !name.startsWith(USAGE_PREFIX))
        .map(([name, { step, value }]) => [name, { step, value }]),
    );
  }

  it('gives bit-identical metrics per epoch for one seed, others for another seed', {
    timeout: 240_000,
  }, async () => {
    const [a, b] = await Promise.all([train(7), train(7)]);
    const names = ['accuracy', 'loss', 'val_accuracy', 'val_loss'];
    assert.deepEqual(Object.keys(a).sort(), names);
    for (const name of names) assert.deepEqual(a[name]!.step, [1, 2], name);
    assert.deepEqual(b, a);
    const other = await train(8);
    assert.notDeepEqual(other.val_loss!.value, a.val_loss!.value);
  });
});
