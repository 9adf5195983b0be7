// `swarmlab up` as a user runs it: a real child process, real stores, real signals.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { type AddressInfo, createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { dropRedisPrefix, testRedisUrl } from '../src/testing/redis.js';

const BIN = new URL('../bin/swarmlab.js', import.meta.url).pathname;

interface Run {
  child: ChildProcess;
  url: Promise<string>;
  exit: Promise<{ code: number | null; signal: NodeJS.Signals | null; stdout: string; stderr: string }>;
}

function up(args: string[]): Run {
  const child = spawn(process.execPath, [BIN, 'up', '--port', '0', '--log-level', 'warn', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr!.on('data', (d) => {
    stderr += d;
  });
  const url = new Promise<string>((resolve, reject) => {
    child.stdout!.on('data', (d) => {
      stdout += d;
      const m = /ready at (http:\/\/\S+)/.exec(stdout);
      if (m) resolve(m[1]!);
    });
    child.once('exit', () => reject(new Error(`exited before ready: ${stderr}`)));
  });
  url.catch(() => {});
  const exit = new Promise<{
    code: number | null;
    signal: NodeJS.Signals | null;
    stdout: string;
    stderr: string;
  }>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, url, exit };
}

describe('swarmlab up', () => {
  const dirs: string[] = [];
  const tempDir = async () => {
    const d = await mkdtemp(join(tmpdir(), 'swarmlab-up-'));
    dirs.push(d);
    return d;
  };
  after(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('serves /healthz and /metrics on the embedded store, and keeps data across a clean restart', async () => {
    const dataDir = await tempDir();
    const run = up(['--data-dir', dataDir]);
    const url = await run.url;
    const health = (await (await fetch(`${url}/healthz`)).json()) as Record<string, unknown>;
    assert.equal(health.status, 'ok');
    assert.equal(health.store, 'lmdb');
    assert.match(String(health.version), /^\d+\.\d+\.\d+/);
    assert.equal(typeof health.uptimeSeconds, 'number');
    const metrics = await (await fetch(`${url}/metrics`)).text();
    assert.match(metrics, /swarmlab_http_requests_total\{[^}]*route="\/healthz"[^}]*\} 1/);
    assert.match(metrics, /swarmlab_process_cpu_seconds_total/);
    run.child.kill('SIGTERM');
    const exit = await run.exit;
    assert.equal(exit.code, 0, exit.stderr);
    // The LMDB environment was closed cleanly: a second manager opens the same directory.
    const again = up(['--data-dir', dataDir]);
    const url2 = await again.url;
    assert.equal(((await (await fetch(`${url2}/healthz`)).json()) as { status: string }).status, 'ok');
    again.child.kill('SIGINT');
    assert.equal((await again.exit).code, 0);
  });

  it('runs on Redis with --store redis://…', async () => {
    const prefix = `test-${randomUUID()}:`;
    const storeUrl = `${testRedisUrl()}?prefix=${prefix}`;
    const run = up(['--data-dir', await tempDir(), '--store', storeUrl]);
    const url = await run.url;
    const health = (await (await fetch(`${url}/healthz`)).json()) as Record<string, unknown>;
    assert.equal(health.store, 'redis');
    run.child.kill('SIGTERM');
    assert.equal((await run.exit).code, 0);
    await dropRedisPrefix(prefix);
  });

  it('rejects a bad --store with one line and a non-zero exit', async () => {
    const run = up(['--data-dir', await tempDir(), '--store', 'mysql://nope']);
    const exit = await run.exit;
    assert.equal(exit.code, 2);
    const lines = exit.stderr.trim().split('\n');
    assert.equal(lines.length, 1, exit.stderr);
    assert.match(lines[0]!, /^swarmlab: --store: "mysql:\/\/nope"/);
  });

  it('rejects an unreachable Redis with one line', async () => {
    const run = up(['--data-dir', await tempDir(), '--store', 'redis://127.0.0.1:1/0']);
    const exit = await run.exit;
    assert.notEqual(exit.code, 0);
    assert.equal(exit.stderr.trim().split('\n').length, 1, exit.stderr);
    assert.match(exit.stderr, /^swarmlab: .*127\.0\.0\.1:1/);
  });

  it('rejects a data dir that cannot be written with one line', async () => {
    const run = up(['--data-dir', '/etc/hostname/swarmlab']);
    const exit = await run.exit;
    assert.equal(exit.code, 2);
    assert.equal(exit.stderr.trim().split('\n').length, 1, exit.stderr);
    assert.match(exit.stderr, /^swarmlab: --data-dir: cannot write to \/etc\/hostname\/swarmlab \(ENOTDIR\)/);
  });

  it('says in one line that its port is taken', async () => {
    const holder = createServer();
    await new Promise<void>((resolve) => holder.listen(0, '127.0.0.1', resolve));
    const port = (holder.address() as AddressInfo).port;
    try {
      const exit = await up(['--data-dir', await tempDir(), '--port', String(port)]).exit;
      assert.equal(exit.code, 2, exit.stderr);
      assert.equal(exit.stderr.trim().split('\n').length, 1, exit.stderr);
      assert.match(exit.stderr, new RegExp(`^swarmlab: 127\\.0\\.0\\.1:${port} is in use`));
    } finally {
      holder.close();
    }
  });
});
