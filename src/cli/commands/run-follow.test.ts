// `swarmlab run --follow` against a real manager: output, progress lines and the exit code, from the event stream.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import type { Manager } from '../../app.js';
import { type TestManager, testManager } from '../../testing/manager.js';

const MAIN = new URL('../main.ts', import.meta.url).href;

/** `swarmlab ARGS…` from source; resolves with its exit code and output. */
function swarmlab(manager: Manager, args: string[]) {
  const code = `const { main } = await import(${JSON.stringify(MAIN)}); await main(['node', 'swarmlab', ...process.argv.slice(1)]);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code, ...args], {
    env: { ...process.env, SWARMLAB_URL: manager.url, SWARMLAB_TOKEN: manager.token },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  return new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.once('exit', (c) => resolve({ code: c, stdout, stderr })),
  );
}

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
});
