// The README's start command, `npm start`: no install or build step, and the signal npm receives reaches the
// manager (npm forwards it to its child, which the script's `exec` makes the manager itself), so none is orphaned.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';

const root = new URL('..', import.meta.url).pathname;

describe('npm start', () => {
  const dirs: string[] = [];
  after(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('starts the manager at once and stops it with the SIGTERM npm gets', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'swarmlab-start-'));
    dirs.push(dir);
    const npm = spawn('npm', ['start', '--', '--port', '0', '--data-dir', dir, '--log-level', 'warn'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => npm.once('exit', (code) => resolve(code)));
    let out = '';
    const url = await new Promise<string>((resolve, reject) => {
      npm.stdout!.on('data', (d) => {
        out += String(d);
        const m = /ready at (http:\/\/\S+)/.exec(out);
        if (m) resolve(m[1]!);
      });
      void exited.then(() => reject(new Error(`npm start exited before ready: ${out}`)));
    });
    assert.equal((await fetch(`${url}/healthz`)).status, 200);
    npm.kill('SIGTERM');
    await exited;
    // The manager closed its listener: nothing answers any more.
    await assert.rejects(fetch(`${url}/healthz`));
  });
});
