/**
 * Intake benchmark (npm run bench:intake): how fast dataset rows reach consumers, on the 60k
 * Fashion-MNIST training images and a synthetic 1 GiB float32 set, beside a plain loopback TCP socket
 * pushing the same number of bytes (the baseline every rate is divided by). The manager runs as its
 * own process, like `swarmlab up`; consumers run in this process through the SDK.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { connect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { writeNpyHeader } from '../src/datasets/formats/index.js';
import type { Manifest } from '../src/datasets/index.js';
import { openDataset, pushDataset } from '../src/sdk/index.js';
import { spawnManager } from '../src/testing/manager-process.js';
import { testRedisUrl } from '../src/testing/redis.js';

const MB = 1e6;
const FASHION = '/usr/share/datasets/fashion-mnist';
const SYNTH_ROWS = 262_144; // × 1024 float32 = 1 GiB
const JSON_SECONDS = 6;

interface Row {
  dataset: string;
  path: string;
  bytes: number;
  rows: number;
  seconds: number;
}
const results: Row[] = [];

/** A child process serving `n` bytes per connection from one 1 MiB buffer: the loopback ceiling. */
function spawnLoopback(): Promise<{ child: ChildProcess; port: number; httpPort: number }> {
  const code = `
    const net = require('node:net');
    const buf = Buffer.alloc(1 << 20, 7);
    const srv = net.createServer((s) => s.once('data', (d) => {
      let left = Number(String(d));
      const pump = () => {
        while (left > 0) {
          const n = Math.min(left, buf.length);
          left -= n;
          if (!s.write(n === buf.length ? buf : buf.subarray(0, n))) return s.once('drain', pump);
        }
        s.end();
      };
      pump();
    }));
    const web = require('node:http').createServer((req, res) => {
      let left = Number(new URL(req.url, 'http://x').searchParams.get('n'));
      const pump = () => {
        while (left > 0) {
          const n = Math.min(left, buf.length);
          left -= n;
          if (!res.write(n === buf.length ? buf : buf.subarray(0, n))) return res.once('drain', pump);
        }
        res.end();
      };
      pump();
    });
    srv.listen(0, '127.0.0.1', () => web.listen(0, '127.0.0.1', () => console.log(srv.address().port + ' ' + web.address().port)));`;
  const child = spawn(process.execPath, ['-e', code], { stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((res) =>
    child.stdout!.once('data', (d) => {
      const [port, httpPort] = String(d).trim().split(' ').map(Number);
      res({ child, port: port!, httpPort: httpPort! });
    }),
  );
}

function loopbackRead(port: number, bytes: number): Promise<number> {
  return new Promise((res, rej) => {
    let got = 0;
    const s = connect(port, '127.0.0.1', () => s.write(String(bytes)));
    s.on('data', (c: Buffer) => {
      got += c.length;
    });
    s.on('end', () => res(got));
    s.on('error', rej);
  });
}

async function httpRead(port: number, bytes: number): Promise<number> {
  const res = await fetch(`http://127.0.0.1:${port}/?n=${bytes}`);
  let got = 0;
  for await (const c of res.body as unknown as AsyncIterable<Uint8Array>) got += c.length;
  return got;
}

async function timed(
  fn: () => Promise<{ bytes: number; rows: number }>,
): Promise<{ bytes: number; rows: number; seconds: number }> {
  const t = performance.now();
  const r = await fn();
  return { ...r, seconds: (performance.now() - t) / 1000 };
}

async function consume(
  url: string,
  name: string,
  opts: Parameters<typeof openDataset>[1],
): Promise<{ bytes: number; rows: number }> {
  const reader = await openDataset(name, { url, ...opts });
  let bytes = 0;
  let rows = 0;
  for await (const b of reader) {
    rows += b.rows;
    for (const c of Object.values(b.columns)) bytes += c.data.byteLength;
  }
  await reader.close();
  return { bytes, rows };
}

async function* synthetic(): AsyncGenerator<Uint8Array> {
  yield writeNpyHeader('float32', [SYNTH_ROWS, 1024]);
  const rowsPerChunk = 256;
  for (let r = 0; r < SYNTH_ROWS; r += rowsPerChunk) {
    const chunk = new Float32Array(rowsPerChunk * 1024);
    for (let i = 0; i < chunk.length; i += 97) chunk[i] = r + i / 1024;
    yield new Uint8Array(chunk.buffer);
  }
}

async function pushSynthetic(url: string): Promise<void> {
  const it = synthetic();
  const body = new ReadableStream<Uint8Array>({
    async pull(c) {
      const n = await it.next();
      if (n.done) c.close();
      else c.enqueue(n.value);
    },
  });
  const res = await fetch(`${url}/api/v1/datasets/synthetic/versions?format=npy`, {
    method: 'POST',
    body,
    duplex: 'half',
  } as RequestInit);
  if (res.status !== 201) throw new Error(`synthetic push: ${res.status} ${await res.text()}`);
}

async function benchDataset(
  url: string,
  name: string,
  label: string,
  batchSize: number,
  epochs: number,
  loop: { port: number; httpPort: number },
  redis: Redis,
) {
  const m = (await (await fetch(`${url}/api/v1/datasets/${name}/versions/latest`)).json()) as Manifest;
  const payload = m.shards.reduce((a, s) => a + s.bytes, 0);
  const repeat = async (fn: () => Promise<{ bytes: number; rows: number }>) => {
    const total = { bytes: 0, rows: 0 };
    for (let e = 0; e < epochs; e++) {
      const r = await fn();
      total.bytes += r.bytes;
      total.rows += r.rows;
    }
    return total;
  };
  const add = (path: string, r: { bytes: number; rows: number; seconds: number }) => {
    results.push({ dataset: label, path, ...r });
    process.stderr.write(`  ${label} ${path}: ${(r.bytes / MB / r.seconds).toFixed(0)} MB/s\n`);
  };
  const each = (o: Parameters<typeof openDataset>[1]) =>
    repeat(() => consume(url, name, { batchSize, ...o }));
  // Warm-up, not measured: the manager verifies each shard's sha256 on its first read (then trusts it for
  // the life of the process) and the page cache fills; without this the first path measured pays for both.
  await consume(url, name, { batchSize, local: false });
  add(
    'loopback TCP baseline (plain socket)',
    await timed(() => repeat(async () => ({ bytes: await loopbackRead(loop.port, payload), rows: m.rows }))),
  );
  add(
    'node:http ServerResponse, same bytes (reference)',
    await timed(() => repeat(async () => ({ bytes: await httpRead(loop.httpPort, payload), rows: m.rows }))),
  );
  add('intake stream, 1 consumer', await timed(() => each({ local: false })));
  add('intake stream, 1 consumer, shuffled', await timed(() => each({ local: false, shuffleSeed: 1 })));
  add(
    'intake stream, 4 consumers (ranks 0-3, shuffled)',
    await timed(() =>
      repeat(async () => {
        const parts = await Promise.all(
          [0, 1, 2, 3].map((rank) =>
            consume(url, name, { batchSize, local: false, rank, worldSize: 4, shuffleSeed: 1 }),
          ),
        );
        return { bytes: parts.reduce((a, p) => a + p.bytes, 0), rows: parts.reduce((a, p) => a + p.rows, 0) };
      }),
    ),
  );
  add('node-local LMDB map, 1 consumer', await timed(() => each({ local: true })));
  add('node-local LMDB map, 1 consumer, shuffled', await timed(() => each({ local: true, shuffleSeed: 1 })));

  // The same bytes as raw Redis values (4 MiB each), fetched with GET.
  const prefix = `bench-${randomUUID()}:`;
  const value = Buffer.alloc(4 * 1024 * 1024, 3);
  const keys: string[] = [];
  for (let at = 0; at < payload; at += value.length) {
    keys.push(`${prefix}${keys.length}`);
    await redis.set(keys.at(-1)!, at + value.length <= payload ? value : value.subarray(0, payload - at));
  }
  add(
    'ioredis GET of raw 4 MiB values',
    await timed(async () => {
      let bytes = 0;
      for (let e = 0; e < epochs; e++) for (const k of keys) bytes += (await redis.getBuffer(k))!.length;
      return { bytes, rows: m.rows * epochs };
    }),
  );
  for (let i = 0; i < keys.length; i += 500) await redis.del(...keys.slice(i, i + 500));

  // The seed's way: rows as JSON arrays of numbers over the same HTTP server (bounded in time).
  const rowBytes = payload / m.rows;
  add(
    `JSON arrays of numbers (/rows pages of 1000, ${JSON_SECONDS} s sample)`,
    await timed(async () => {
      const t = performance.now();
      let rows = 0;
      while (rows < m.rows && performance.now() - t < JSON_SECONDS * 1000) {
        const page = (await (
          await fetch(`${url}/api/v1/datasets/${name}/versions/latest/rows?offset=${rows}&limit=1000`)
        ).json()) as {
          rows: unknown[];
        };
        rows += page.rows.length;
      }
      return { bytes: Math.round(rows * rowBytes), rows };
    }),
  );
}

function print(): void {
  const lines = ['| dataset | path | MB/s | rows/s | × loopback |', '|---|---|---:|---:|---:|'];
  for (const label of [...new Set(results.map((r) => r.dataset))]) {
    const rs = results.filter((r) => r.dataset === label);
    const base = rs[0]!.bytes / rs[0]!.seconds;
    for (const r of rs) {
      const rate = r.bytes / r.seconds;
      lines.push(
        `| ${label} | ${r.path} | ${(rate / MB).toFixed(0)} | ${Math.round(r.rows / r.seconds).toLocaleString('en')} | ${(rate / base).toFixed(2)} |`,
      );
    }
  }
  process.stdout.write(`${lines.join('\n')}\n`);
  const ratio = (label: string, a: string, b: string) => {
    const find = (p: string) => results.find((r) => r.dataset === label && r.path.startsWith(p))!;
    const x = find(a);
    const y = find(b);
    return x.bytes / x.seconds / (y.bytes / y.seconds);
  };
  for (const label of [...new Set(results.map((r) => r.dataset))]) {
    process.stdout.write(
      `${label}: stream/loopback = ${(ratio(label, 'intake stream, 1 consumer', 'loopback') * 100).toFixed(0)}% (target ≥ 50%), ` +
        `stream/JSON = ${ratio(label, 'intake stream, 1 consumer', 'JSON').toFixed(0)}× (target ≥ 20×)\n`,
    );
  }
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'swarmlab-bench-intake-'));
  const { child, url } = await spawnManager(['--data-dir', dir, '--port', '0']);
  const loop = await spawnLoopback();
  const redis = new Redis(testRedisUrl());
  try {
    process.stderr.write('pushing Fashion-MNIST train (60k) and the synthetic 1 GiB set…\n');
    await pushDataset(
      'fashion-train',
      [`${FASHION}/train-images-idx3-ubyte.gz`, `${FASHION}/train-labels-idx1-ubyte.gz`],
      {
        url,
        format: 'idx',
      },
    );
    await pushSynthetic(url);
    // The small set is read for several epochs per measurement, so start-up costs do not dominate.
    await benchDataset(url, 'fashion-train', 'fashion-mnist 60k (uint8 28×28 + label)', 256, 8, loop, redis);
    await benchDataset(url, 'synthetic', 'synthetic 1 GiB float32 (262144×1024)', 256, 2, loop, redis);
    print();
  } finally {
    redis.disconnect();
    loop.child.kill();
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
