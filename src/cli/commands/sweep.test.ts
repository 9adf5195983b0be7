// `swarmlab sweep -- CMD`, `sweep show`, `sweep ls`, `sweep stop` against a real manager with real trials.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { SweepsClient } from '../../sdk/index.js';
import { objectiveCommand, SDK } from '../../sweeps/testing/objective.js';
import { swarmlab } from '../../testing/cli.js';
import { type TestManager, testManager } from '../../testing/manager.js';

const nodes = { nodes: [{ name: 'box', capacity: { cpus: 8, memoryMb: 8000, gpus: [] } }] };

describe('swarmlab sweep', { timeout: 180_000 }, () => {
  let t: TestManager;
  let dir: string;

  before(async () => {
    assert.ok(existsSync(SDK), `the trials need the built SDK at ${SDK}: run npm run build`);
    t = await testManager({ nodes, localNode: false });
    dir = await mkdtemp(join(tmpdir(), 'swarmlab-sweep-cli-'));
  });
  after(async () => {
    await t?.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('starts a sweep from a spec file and flags, and shows its trials and best', async () => {
    await writeFile(join(dir, 'space.json'), JSON.stringify({ q: { kind: 'int', min: 1, max: 3 } }));
    await writeFile(join(dir, 'spec.json'), JSON.stringify({ metric: 'score', mode: 'min', parallelism: 3 }));
    const started = await swarmlab(t.manager, [
      'sweep',
      ...['--spec', join(dir, 'spec.json'), '--space', join(dir, 'space.json')],
      ...['--algo', 'grid', '--mode', 'max', '--name', 'cli', '--tag', 'from-cli'],
      '--',
      ...objectiveCommand(2, 10),
    ]);
    assert.equal(started.code, 0, started.stderr);
    const id = started.stdout.trim();
    const sweeps = new SweepsClient(t.client);
    let view = await sweeps.get(id);
    assert.deepEqual([view.mode, view.metric, view.parallelism, view.name], ['max', 'score', 3, 'cli']);
    while (view.state === 'running') {
      await new Promise((r) => setTimeout(r, 100));
      view = await sweeps.get(id);
    }
    const shown = await swarmlab(t.manager, ['sweep', 'show', id]);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, new RegExp(`sweep ${id} cli: completed; grid, max score`));
    assert.match(shown.stdout, /best 6 \(trial 2, q=3\); 6 trial-epochs/);
    assert.match(shown.stdout, /^2 +s-\S+ +succeeded +q=3 +6 +6 +2 *$/m);
    const listed = await swarmlab(t.manager, ['sweep', 'ls']);
    assert.match(listed.stdout, new RegExp(`^${id} +cli +completed +grid +max score +6 +3/3 +6 *$`, 'm'));
  });

  it('stops a sweep, and names a bad flag value', async () => {
    const space = join(dir, 'space2.json');
    await writeFile(space, JSON.stringify({ q: { kind: 'choice', values: [1, 2] } }));
    const args = ['sweep', '--space', space, '--algo', 'grid', '--metric', 'score', '--mode', 'max'];
    const started = await swarmlab(t.manager, [...args, '--', ...objectiveCommand(1000, 100)]);
    const id = started.stdout.trim();
    const stopped = await swarmlab(t.manager, ['sweep', 'stop', id]);
    assert.equal(stopped.stdout, `sweep ${id} stopped\n`);
    const bad = await swarmlab(t.manager, [...args, '--parallel', '0', '--', 'true']);
    assert.notEqual(bad.code, 0);
    assert.match(bad.stderr, /parallelism/);
  });
});
