// The clients stay lean (issue 15): the built SDK and the CLI's light commands load none of the server's
// heavy dependencies. Each check runs in a child process that records every module it loads.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { describe, it } from 'node:test';

const root = new URL('..', import.meta.url).pathname;
const HOOK = new URL('./fixtures/record-loads.mjs', import.meta.url).pathname;
const SDK = new URL('../dist/sdk/index.js', import.meta.url).pathname;
const BIN = new URL('../bin/swarmlab.js', import.meta.url).pathname;

/** What the SDK must never load (the LMDB reader is opt-in: a dynamic import when local reading is chosen). */
const HEAVY = ['fastify', 'onnxruntime-node', '@tensorflow/', 'dockerode', 'lmdb', 'ioredis'];

/** Runs node with the load recorder; resolves with the package paths it loaded. */
function loads(args: string[]): Promise<string[]> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', HOOK, ...args], {
      cwd: root,
      env: { ...process.env, SWARMLAB_URL: 'http://127.0.0.1:9' },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let err = '';
    child.stderr.on('data', (d) => {
      err += String(d);
    });
    child.once('exit', () => {
      const line = /^LOADED (.*)$/m.exec(err);
      if (!line) return reject(new Error(`no load record: ${err}`));
      resolve((JSON.parse(line[1]!) as string[]).filter((f) => f.includes('/node_modules/')));
    });
  });
}

const heavyIn = (files: string[]): string[] =>
  HEAVY.filter((name) => files.some((f) => f.includes(`/node_modules/${name}`)));

describe('lean clients', () => {
  it('the built SDK is built (npm run build)', () => {
    assert.ok(existsSync(SDK), `${SDK} is missing: run npm run build`);
  });

  it("import('swarmlab/sdk') loads none of fastify, onnxruntime-node, tfjs, dockerode, lmdb, ioredis", async () => {
    const files = await loads(['--input-type=module', '-e', `await import(${JSON.stringify(SDK)});`]);
    assert.ok(
      files.some((f) => f.includes('/node_modules/ws/')),
      'the recorder sees the SDK’s own packages',
    );
    assert.deepEqual(heavyIn(files), []);
  });

  it('`swarmlab --version` and `swarmlab ps` load no server dependency', async () => {
    for (const args of [['--version'], ['ps']]) {
      const files = await loads([BIN, ...args]);
      assert.deepEqual(heavyIn(files), [], `swarmlab ${args.join(' ')}`);
      assert.deepEqual(
        files.filter((f) => /\/node_modules\/(pino|zod|ws|msgpackr)\//.test(f)),
        [],
        `swarmlab ${args.join(' ')} loads only what it needs`,
      );
    }
  });
});
