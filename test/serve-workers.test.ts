// `swarmlab serve --workers 2` as a user runs it: a real primary and worker processes on one port, against a real
// manager; settings and metrics must be the same whichever worker a connection lands on.
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { Manager } from '../src/app.js';
import { mlpOnnx, randomLayers } from '../src/serving/testing/onnx-builder.js';
import { onnxRegistry } from '../src/serving/testing/registry.js';
import { type TestManager, testManager } from '../src/testing/manager.js';

const BIN = new URL('../bin/swarmlab.js', import.meta.url).pathname;

/** One request on a connection of its own (agent: false), so the primary deals connections to every worker. */
function call(url: string, method: string, body?: unknown): Promise<{ status: number; text: string }> {
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      { method, agent: false, headers: body === undefined ? {} : { 'content-type': 'application/json' } },
      (res) => {
        let text = '';
        res.setEncoding('utf8');
        res.on('data', (d) => {
          text += d;
        });
        res.on('end', () => resolve({ status: res.statusCode ?? 0, text }));
      },
    );
    req.on('error', reject);
    req.end(body === undefined ? undefined : JSON.stringify(body));
  });
}

const workersOf = (pid: number): number[] => {
  try {
    return execFileSync('pgrep', ['-P', String(pid)], { encoding: 'utf8' })
      .trim()
      .split('\n')
      .map(Number);
  } catch {
    return [];
  }
};

async function until(what: string, check: () => boolean | Promise<boolean>, ms = 15_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe('swarmlab serve --workers', () => {
  let t: TestManager;
  let manager: Manager;
  let child: ReturnType<typeof spawn>;
  let url: string;
  let stderr = '';

  before(async () => {
    t = await testManager({ localNode: false });
    manager = t.manager;
    await onnxRegistry(t).save('mlp', mlpOnnx({ layers: randomLayers([4, 8, 2], 1) }), 'production');
    child = spawn(
      process.execPath,
      [BIN, 'serve', '--models', 'mlp', '--port', '0', '--workers', '2', '--log-level', 'warn'],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, SWARMLAB_URL: manager.url, SWARMLAB_TOKEN: manager.token },
      },
    );
    child.stderr!.on('data', (d) => {
      stderr += d;
    });
    url = await new Promise<string>((resolve, reject) => {
      let stdout = '';
      child.stdout!.on('data', (d) => {
        stdout += d;
        const m = /at (http:\/\/\S+) .*2 worker processes/.exec(stdout);
        if (m) resolve(m[1]!);
      });
      child.once('exit', (code) => reject(new Error(`exited (${code}) before listening: ${stderr}`)));
    });
  });
  after(async () => {
    if (child.exitCode === null) child.kill('SIGKILL');
    await t.close();
  });

  const predict = () => call(`${url}/v1/models/mlp:predict`, 'POST', { instances: [[1, 2, 3, 4]] });
  const served = async () => {
    const text = (await call(`${url}/metrics`, 'GET')).text;
    const m =
      /swarmlab_serving_requests_total\{model="mlp",generation="1",protocol="v1",code="200"\} (\d+)/.exec(
        text,
      );
    return Number(m?.[1] ?? 0);
  };

  it('serves from every worker, and /metrics on any of them sums them all', async () => {
    assert.equal(workersOf(child.pid!).length, 2);
    for (let i = 0; i < 40; i++) assert.equal((await predict()).status, 200);
    // Each scrape lands on one worker; each worker answered about half: only a sum says 40 every time.
    for (let i = 0; i < 4; i++) assert.equal(await served(), 40);
  });

  it('applies a settings change on every worker before answering it', async () => {
    const put = await call(`${url}/api/v1/serving/mlp`, 'PUT', { maxBatchSize: 7, maxDelayMs: 1 });
    assert.equal(put.status, 200, put.text);
    for (let i = 0; i < 6; i++) {
      const status = JSON.parse((await call(`${url}/api/v1/serving/mlp`, 'GET')).text) as {
        config: { maxBatchSize: number };
      };
      assert.equal(status.config.maxBatchSize, 7);
    }
    const bad = await call(`${url}/api/v1/serving/mlp`, 'PUT', { maxBatchSize: 0 });
    assert.equal(bad.status, 400);
  });

  it('stops every worker, with one line and exit code 2, when the port is taken', async () => {
    const port = new URL(url).port;
    const second = spawn(
      process.execPath,
      [BIN, 'serve', '--models', 'mlp', '--port', port, '--workers', '2', '--log-level', 'warn'],
      { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, SWARMLAB_URL: manager.url } },
    );
    let err = '';
    second.stderr!.on('data', (d) => {
      err += d;
    });
    const code = await new Promise<number | null>((resolve) => second.once('exit', resolve));
    assert.equal(code, 2, err);
    assert.match(err, new RegExp(`swarmlab: 127\\.0\\.0\\.1:${port} is in use`));
    assert.match(err, /a worker exited during start-up \(code 2\): stopping/);
  });

  it('replaces a worker that dies, and stops every worker on SIGTERM', async () => {
    const [first] = workersOf(child.pid!);
    process.kill(first!, 'SIGKILL');
    // (A connection the primary hands to a worker as it dies is lost with it: ask once the primary knows.)
    await until('a replacement worker', () => {
      const now = workersOf(child.pid!);
      return now.length === 2 && !now.includes(first!);
    });
    await until('the replacement listening', () =>
      /worker \d+ exited \(SIGKILL\): starting another/.test(stderr),
    );
    for (let i = 0; i < 10; i++) assert.equal((await predict()).status, 200);
    const workers = workersOf(child.pid!);
    const exit = new Promise<number | null>((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    assert.equal(await exit, 0, stderr);
    for (const pid of workers) assert.throws(() => process.kill(pid, 0), 'worker still running');
  });
});
