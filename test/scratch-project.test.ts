// The README's path for a lab's own project: a scratch project outside the repo installs the SDK from the clone
// (`npm install /path/to/swarmlab`) and runs the README's `train.mjs` as a session against a manager.
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import type { Manager } from '../src/app.js';
import { DatasetsClient, SessionsClient, SwarmlabClient } from '../src/sdk/index.js';
import { type TestManager, testManager } from '../src/testing/manager.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const FASHION = '/usr/share/datasets/fashion-mnist';
const run = promisify(execFile);

/** The `train.mjs` block of the README, as a reader would copy it. */
async function readmeTrainScript(): Promise<string> {
  const readme = await readFile(join(ROOT, 'README.md'), 'utf8');
  const m = /```js\n(\/\/ train\.mjs\n[\s\S]*?)```/.exec(readme);
  assert.ok(m, 'README has a ```js block starting with // train.mjs');
  return m[1]!;
}

describe('a separate project using the SDK', () => {
  let t: TestManager;
  let manager: Manager;
  let project: string;
  before(async () => {
    project = await mkdtemp(join(tmpdir(), 'swarmlab-scratch-project-'));
    t = await testManager();
    manager = t.manager;
  });
  after(async () => {
    await t?.close();
    await rm(project, { recursive: true, force: true });
  });

  it("installs it with npm install /path/to/swarmlab and runs the README's train.mjs as a session", async () => {
    await writeFile(
      join(project, 'package.json'),
      JSON.stringify({ name: 'scratch', version: '1.0.0', private: true, type: 'module' }),
    );
    // --ignore-scripts: the clone is built already (npm test builds first); its `prepare` would rebuild dist
    // under the other tests' feet.
    await run('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', ROOT], { cwd: project });
    await writeFile(join(project, 'train.mjs'), await readmeTrainScript());

    const client = new SwarmlabClient({ url: manager.url, token: manager.token });
    // The test set (10,000 images) stands in for the train set: same format, a sixth of the rows.
    await new DatasetsClient(client).push(
      'fashion',
      [`${FASHION}/t10k-images-idx3-ubyte.gz`, `${FASHION}/t10k-labels-idx1-ubyte.gz`],
      { format: 'idx' },
    );
    const sessions = new SessionsClient(client);
    const s = await sessions.submit({ command: ['node', 'train.mjs'], cwd: project, dataset: 'fashion' });
    const epochs: number[] = [];
    const done = await sessions.follow(s.id, {
      after: 0,
      onEvent: (e) => {
        if (e.type === 'session.epoch') epochs.push(e.data.epoch);
      },
    });
    const logs = await sessions.logs(s.id);
    assert.equal(done.state, 'succeeded', logs.lines.map((l) => l.line).join('\n'));
    assert.deepEqual(epochs, [1, 2, 3]);
  });
});
