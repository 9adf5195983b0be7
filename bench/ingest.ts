/**
 * Metric ingest: points/s from 10 concurrent fake sessions, each a worker thread running the real SDK session
 * client, through the session channel WebSocket into the store (event archive + metric series), counted once
 * every `close()` has resolved (the manager acknowledges a batch only after storing it). Beside it, in the same
 * run: the manager's write path without the network (the same packed batches committed straight to the store),
 * and a bare `appendMany` of the packed batches.
 * The workers share the machine's cores with the manager: on 2 cores the loaders' own CPU (building and
 * packing batches) is part of what is measured.
 * Usage: node --import tsx bench/ingest.ts [pointsPerSession=200000] [sessions=10]
 */
import { cpus } from 'node:os';
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';
import type { MetricPoint } from '../src/events/index.js';
import { session } from '../src/sdk/index.js';
import type { Store, TxOp } from '../src/store/index.js';
import { packPoints } from '../src/telemetry/index.js';
import { TEST_TOKEN, type TestManager, testManager } from '../src/testing/manager.js';

const NAMES = ['loss', 'acc', 'lr', 'grad_norm'];
const BOOT = `import('tsx/esm/api').then((tsx) => { tsx.register(); return import(${JSON.stringify(import.meta.url)}); });`;
const BATCH = 16_384;

interface Job {
  url: string;
  sessionId: string;
  points: number;
}

async function loader(job: Job): Promise<void> {
  const s = await session({ url: job.url, token: TEST_TOKEN, sessionId: job.sessionId, env: {} });
  parentPort!.postMessage('ready');
  await new Promise((r) => parentPort!.once('message', r));
  for (let k = 0; k < job.points; k++) {
    s.metric(NAMES[k % 4]!, Math.sin(k), k >> 2);
    // Let the socket send while we produce, as a training loop would.
    if (k % BATCH === BATCH - 1) await new Promise((r) => setImmediate(r));
  }
  await s.close();
  parentPort!.postMessage({ dropped: s.stats.dropped });
}

if (!isMainThread) {
  await loader(workerData as Job);
} else {
  await main();
}

async function throughWebSocket(t: TestManager, sessions: number, points: number): Promise<number> {
  const workers = Array.from(
    { length: sessions },
    (_, i) =>
      // Workers do not inherit the TypeScript loader: register it first, then run this file.
      new Worker(BOOT, {
        eval: true,
        workerData: { url: t.manager.url, sessionId: `bench-${i}`, points } satisfies Job,
      }),
  );
  const ready = workers.map((w) => new Promise((r) => w.once('message', r)));
  await Promise.all(ready);
  const done = workers.map(
    (w) =>
      new Promise<{ dropped: number }>((resolve, reject) => {
        w.once('message', resolve);
        w.once('error', reject);
      }),
  );
  const t0 = performance.now();
  for (const w of workers) w.postMessage('go');
  const results = await Promise.all(done);
  const seconds = (performance.now() - t0) / 1000;
  await Promise.all(workers.map((w) => w.terminate()));
  const dropped = results.reduce((a, r) => a + r.dropped, 0);
  // Check every point landed once.
  for (let i = 0; i < sessions; i++) {
    const { series } = await t.manager.services.series.read(`bench-${i}`);
    const stored = Object.values(series).reduce((a, s) => a + s.points, 0);
    if (stored !== points) throw new Error(`bench-${i}: ${stored} points stored, expected ${points}`);
  }
  if (dropped) throw new Error(`${dropped} points dropped`);
  return (sessions * points) / seconds;
}

function batches(points: number): MetricPoint[][] {
  const out: MetricPoint[][] = [];
  for (let start = 0; start < points; start += BATCH) {
    const batch: MetricPoint[] = [];
    for (let k = start; k < Math.min(points, start + BATCH); k++)
      batch.push([NAMES[k % 4]!, Math.sin(k), k >> 2, Date.now()]);
    out.push(batch);
  }
  return out;
}

/** The channel's write path minus network and decoding: per batch, archive event + series entry + stream state. */
async function direct(t: TestManager, sessions: number, points: number, fullPath: boolean): Promise<number> {
  const { store, services } = t.manager;
  const prepared = batches(points);
  const packed = prepared.map(packPoints);
  const t0 = performance.now();
  await Promise.all(
    Array.from({ length: sessions }, async (_, i) => {
      const id = `direct-${fullPath ? 'tx' : 'raw'}-${i}`;
      for (let b = 0; b < packed.length; b++) {
        if (!fullPath) {
          await store.appendMany(`metrics/${id}`, [packed[b]!]);
          continue;
        }
        const ops: TxOp[] = [
          services.events.op({ type: 'session.metric', sessionId: id, data: { points: prepared[b]! } }),
          services.series.op(id, packed[b]!),
          { op: 'put', key: `channels/${id}/bench`, value: { seq: b + 1, time: Date.now() } },
        ];
        await (store as Store).commit(ops);
      }
    }),
  );
  return (sessions * points) / ((performance.now() - t0) / 1000);
}

async function main(): Promise<void> {
  const points = Number(process.argv[2] ?? 200_000);
  const sessions = Number(process.argv[3] ?? 10);
  const fmt = (x: number) => `${Math.round(x).toLocaleString('en-US')} points/s`;
  console.log(
    `metric ingest: ${sessions} sessions × ${points.toLocaleString('en-US')} points, ${cpus().length} CPUs ` +
      '(loaders are worker threads sharing them with the manager); target ≥ 200,000 points/s',
  );
  for (const redis of [false, true]) {
    let t: TestManager;
    try {
      t = await testManager({ redis, admission: false });
    } catch (err) {
      console.log(`  redis: skipped (${String(err)})`);
      continue;
    }
    try {
      const ws = await throughWebSocket(t, sessions, points);
      const tx = await direct(t, sessions, points, true);
      const raw = await direct(t, sessions, points, false);
      const name = redis ? 'redis' : 'lmdb ';
      console.log(
        `  ${name} SDK → WS → store: ${fmt(ws)}   | same commits without network: ${fmt(tx)} ` +
          `(ratio ${(ws / tx).toFixed(2)})   | bare appendMany of packed batches: ${fmt(raw)} ` +
          `(ratio ${(ws / raw).toFixed(2)})   ${ws >= 200_000 ? 'PASS' : 'BELOW TARGET'}`,
      );
    } finally {
      await t.close();
    }
  }
}
