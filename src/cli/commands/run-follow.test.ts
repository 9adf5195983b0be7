// `swarmlab run --follow` against a real manager: output, progress lines and the exit code, from the event stream.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { Manager } from '../../app.js';
import { swarmlab } from '../../testing/cli.js';
import { type TestManager, testManager } from '../../testing/manager.js';

describe('swarmlab run --follow', () => {
  let t: TestManager;
  let manager: Manager;
  before(async () => {
    t = await testManager();
    manager = t.manager;
  });
  after(() => t?.close());

  it("prints the session's output from the event stream and exits with its code", async () => {
    const script =
      "console.log('out 1'); console.error('err 1'); setTimeout(() => { console.log('out 2'); process.exit(3); }, 200)";
    const r = await swarmlab(manager, ['run', '--follow', '--', process.execPath, '-e', script]);
    assert.equal(r.code, 3, r.stderr);
    assert.equal(r.stdout, 'out 1\nout 2\n');
    assert.match(r.stderr, /^session \S+ queued\nplaced on \S+\n/);
    assert.match(r.stderr, /err 1\n/);
    assert.match(r.stderr, /session \S+ failed: exited with code 3\n$/);
  });

  it('runs --replicas N as one gang: each line tagged with its rank, the failing rank’s code as the exit code', async () => {
    // Rank 1 fails only once rank 0 has spoken (else the gang would stop rank 0 first).
    const flag = join(t.dir, `spoke-${Date.now()}`);
    const script = `const fs = require('fs'); console.log('hi from ' + process.env.RANK);
      if (process.env.RANK === '0') fs.writeFileSync(${JSON.stringify(flag)}, '');
      else setInterval(() => fs.existsSync(${JSON.stringify(flag)}) && process.exit(5), 20);`;
    const r = await swarmlab(manager, [
      'run',
      '--follow',
      '--replicas',
      '2',
      '--',
      process.execPath,
      '-e',
      script,
    ]);
    assert.equal(r.code, 5, r.stderr);
    assert.deepEqual(r.stdout.split('\n').filter(Boolean).sort(), [
      '[rank 0] hi from 0',
      '[rank 1] hi from 1',
    ]);
    assert.match(r.stderr, /placed on \S+ \(2 ranks\)\n/);
    assert.match(r.stderr, /session \S+ failed: rank 1 exited with code 5\n$/);
  });

  it('detaches on Ctrl-C with a word on how to follow or stop the session, which keeps running', async () => {
    const run = swarmlab(manager, [
      'run',
      '--follow',
      '--',
      process.execPath,
      '-e',
      'setTimeout(() => {}, 60000)',
    ]);
    while (!/placed on/.test(run.stderr())) await new Promise((r) => setTimeout(r, 50));
    run.child.kill('SIGINT');
    const r = await run;
    assert.equal(r.code, 130);
    const id = /detached: session (\S+) keeps running/.exec(r.stderr)?.[1];
    assert.ok(id, r.stderr);
    assert.match(r.stderr, new RegExp(`swarmlab stop ${id}`));
    const s = await manager.services.sessions.get(id);
    assert.ok(['placed', 'starting', 'running'].includes(s.state), s.state);
    const stopped = await swarmlab(manager, ['stop', id]);
    assert.equal(stopped.code, 0, stopped.stderr);
  });

  it('names a command that is not found, not the wrapper', async () => {
    const r = await swarmlab(manager, ['run', '--follow', '--', 'no-such-command-xyz', 'arg']);
    assert.equal(r.code, 127);
    assert.match(r.stderr, /swarmlab: no-such-command-xyz: command not found \(PATH=/);
    assert.doesNotMatch(r.stderr, /\/exit/);
  });

  it('refuses a missing file and an unknown format in one line, without a stack', async () => {
    const missing = await swarmlab(manager, ['dataset', 'push', 'x', join(t.dir, 'nope.csv')]);
    assert.equal(missing.code, 2);
    assert.equal(missing.stderr, `swarmlab: cannot read ${join(t.dir, 'nope.csv')}: no such file\n`);
    const parquet = await swarmlab(manager, [
      'dataset',
      'push',
      'x',
      join(t.dir, 'nope.csv'),
      '--format',
      'parquet',
    ]);
    assert.equal(parquet.code, 2);
    assert.match(
      parquet.stderr,
      /^swarmlab: --format: "parquet" is not an import format \(libsvm, csv, idx, npy\)\n$/,
    );
  });
});
