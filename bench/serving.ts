/**
 * Model serving throughput and latency. For an ONNX MLP 784→256→10 (built here) and, when the example is
 * present, the Fashion-MNIST TF.js MLP: the runtime called directly (batch 1 and batch 32 loops), then HTTP
 * through the manager's /v1 predict at concurrency 1, 16 and 64, with and without dynamic batching, and KServe v2
 * with binary tensors; for the ONNX model also through `swarmlab serve` (the production tier) with 1 worker
 * process and with one per CPU. Load comes from another process (bench/serving-load.ts: wrk when installed);
 * its own cost is measured against a route that does nothing (GET /v2/health/live). Ratios are against the
 * direct batch-1 loop's rows/s (for the ONNX model, the mean of a run before and one after the HTTP runs: this
 * machine's speed drifts). `swarmlab serve` runs from dist/: `npm run bench:serving` compiles first.
 * Usage: node --import tsx bench/serving.ts [SECONDS_PER_RUN]
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import * as ort from 'onnxruntime-node';
import { pino } from 'pino';
import { startManager } from '../src/app.js';
import { resolveConfig } from '../src/config/index.js';
import { SwarmlabClient } from '../src/sdk/index.js';
import { ModelsClient } from '../src/sdk/models.js';
import { wasmBackend } from '../src/serving/index.js';
import { mlpOnnx, randomLayers } from '../src/serving/testing/onnx-builder.js';
import { percentile } from './percentile.js';
import { drive, loaderName } from './serving-load.js';

const SECONDS = Number(process.argv[2] ?? 3);
const here = import.meta.dirname;
const BIN = resolve(here, '../bin/swarmlab.js');
const IN = 784;

interface Figures {
  label: string;
  rowsPerSecond: number;
  requestsPerSecond: number;
  p50: number;
  p99: number;
  errors?: number;
}

/** Calls `fn` back to back for SECONDS (after a short warm-up); per-call latency in ms. */
async function loop(label: string, rows: number, fn: () => Promise<unknown>): Promise<Figures> {
  const warm = Date.now() + 300;
  while (Date.now() < warm) await fn();
  const lat: number[] = [];
  const start = process.hrtime.bigint();
  const end = Date.now() + SECONDS * 1000;
  while (Date.now() < end) {
    const t0 = process.hrtime.bigint();
    await fn();
    lat.push(Number(process.hrtime.bigint() - t0) / 1e6);
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  lat.sort((a, b) => a - b);
  return {
    label,
    rowsPerSecond: (lat.length * rows) / seconds,
    requestsPerSecond: lat.length / seconds,
    p50: percentile(lat, 50),
    p99: percentile(lat, 99),
  };
}

async function load(
  label: string,
  url: string,
  bodyFile: string | undefined,
  concurrency: number,
  headers: Record<string, string> = {},
): Promise<Figures> {
  const r = await drive(
    { url, ...(bodyFile ? { bodyFile } : {}), headers, concurrency, seconds: SECONDS },
    dir,
  );
  return {
    label,
    rowsPerSecond: r.requests / r.seconds,
    requestsPerSecond: r.requests / r.seconds,
    p50: r.p50,
    p99: r.p99,
    errors: r.errors,
  };
}

/** `swarmlab serve --workers N` against the manager, until stopped. */
async function standalone(
  model: string,
  workers: number,
): Promise<{ url: string; stop: () => Promise<void> }> {
  const child = spawn(
    process.execPath,
    [BIN, 'serve', '--models', model, '--port', '0', '--workers', String(workers), '--log-level', 'warn'],
    {
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, SWARMLAB_URL: manager.url, SWARMLAB_TOKEN: manager.token },
    },
  );
  const url = await new Promise<string>((resolveUrl, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = / at (http:\/\/\S+)/.exec(out);
      if (m) resolveUrl(m[1]!);
    });
    child.once('exit', (code) => reject(new Error(`swarmlab serve exited (${code}); run npm run build?`)));
  });
  return {
    url,
    stop: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}

const row = Array.from({ length: IN }, (_, i) => (i % 17) / 17);
const dir = await mkdtemp(join(tmpdir(), 'swarmlab-bench-serving-'));
const manager = await startManager(
  resolveConfig({ dataDir: dir, port: 0, logLevel: 'silent', localNode: false }),
  { logger: pino({ level: 'silent' }) },
);
const client = new SwarmlabClient({ url: manager.url, token: manager.token });
const models = new ModelsClient(client, {});
const bodyFile = join(dir, 'body.json');
await writeFile(bodyFile, JSON.stringify({ instances: [row] }));
const configure = (model: string, batching: boolean) =>
  client.json('PUT', `/api/v1/serving/${model}`, { body: { batching, maxBatchSize: 32, maxDelayMs: 2 } });

/** Throughput of `swarmlab serve` at c=64 over the direct batch-1 loop's, measured in pairs (ONNX model). */
let paired: number[] = [];
/** `base`: what ratios are against, when not the first batch-1 row. */
const tables: { title: string; rows: Figures[]; base?: Figures }[] = [];

// --- loader cost ---------------------------------------------------------------------------------------------
{
  const rows: Figures[] = [];
  for (const c of [1, 64])
    rows.push(
      await load(`loader alone, c=${c} (GET /v2/health/live)`, `${manager.url}/v2/health/live`, undefined, c),
    );
  tables.push({ title: 'Loader cost (a route that does nothing)', rows });
}

/** A KServe v2 body with the binary tensor extension (raw float32 rows, not 16 KB of JSON numbers) and its headers. */
async function binaryBody(model: string): Promise<{ file: string; headers: Record<string, string> }> {
  const inputName = (await client.json<{ inputs: { name: string }[] }>('GET', `/v2/models/${model}`))
    .inputs[0]!.name;
  const header = Buffer.from(
    JSON.stringify({
      inputs: [
        { name: inputName, shape: [1, IN], datatype: 'FP32', parameters: { binary_data_size: IN * 4 } },
      ],
    }),
  );
  const file = join(dir, `${model}.bin`);
  await writeFile(file, Buffer.concat([header, Buffer.from(Float32Array.from(row).buffer)]));
  return {
    file,
    headers: {
      'content-type': 'application/octet-stream',
      'inference-header-content-length': String(header.length),
    },
  };
}

async function httpRuns(model: string): Promise<Figures[]> {
  const out: Figures[] = [];
  for (const batching of [false, true]) {
    await configure(model, batching);
    for (const c of [1, 16, 64]) {
      out.push(
        await load(
          `HTTP c=${c}, batching ${batching ? 'on' : 'off'}`,
          `${manager.url}/v1/models/${model}:predict`,
          bodyFile,
          c,
        ),
      );
    }
  }
  const binary = await binaryBody(model);
  out.push(
    await load(
      'HTTP c=64, batching on, v2 binary',
      `${manager.url}/v2/models/${model}/infer`,
      binary.file,
      64,
      binary.headers,
    ),
  );
  return out;
}

/** The production tier: `swarmlab serve` with one worker process, then one per CPU (batching on, defaults). */
async function standaloneRuns(model: string): Promise<Figures[]> {
  const out: Figures[] = [];
  const binary = await binaryBody(model);
  for (const workers of [...new Set([1, cpus().length])]) {
    const server = await standalone(model, workers);
    const tag = `serve --workers ${workers}`;
    try {
      out.push(await load(`${tag}, c=64, v1`, `${server.url}/v1/models/${model}:predict`, bodyFile, 64));
      for (const c of [1, 64]) {
        out.push(
          await load(
            `${tag}, c=${c}, v2 binary`,
            `${server.url}/v2/models/${model}/infer`,
            binary.file,
            c,
            binary.headers,
          ),
        );
      }
    } finally {
      await server.stop();
    }
  }
  return out;
}

/**
 * The c=64 target measured in pairs: the direct batch-1 loop, then `swarmlab serve` (a worker per CPU) under v2
 * binary load, ROUNDS times, so each ratio compares the two on the same minute of this machine.
 */
async function pairedRatios(model: string, direct: () => Promise<Figures>, rounds = 5): Promise<number[]> {
  const binary = await binaryBody(model);
  const server = await standalone(model, cpus().length);
  const ratios: number[] = [];
  try {
    for (let i = 0; i < rounds; i++) {
      const d = await direct();
      const h = await load(
        'paired',
        `${server.url}/v2/models/${model}/infer`,
        binary.file,
        64,
        binary.headers,
      );
      ratios.push(h.rowsPerSecond / d.rowsPerSecond);
    }
  } finally {
    await server.stop();
  }
  return ratios;
}

// --- ONNX MLP 784→256→10 ------------------------------------------------------------------------------------
{
  const bytes = mlpOnnx({ layers: randomLayers([IN, 256, 10], 5) });
  const session = await ort.InferenceSession.create(bytes, { intraOpNumThreads: 1, interOpNumThreads: 1 });
  const one = new ort.Tensor('float32', Float32Array.from(row), [1, IN]);
  const x32 = new ort.Tensor(
    'float32',
    Float32Array.from({ length: 32 * IN }, (_, i) => row[i % IN]!),
    [32, IN],
  );
  const d1 = await loop('direct InferenceSession.run, batch 1', 1, () => session.run({ input: one }));
  const d32 = await loop('direct InferenceSession.run, batch 32', 32, () => session.run({ input: x32 }));
  const g = await models.saveGeneration({
    model: 'bench-onnx',
    type: 'classifier/mlp',
    format: 'onnx',
    buffer: bytes,
  });
  await models.setStage('bench-onnx', g.generation, 'production');
  const http = [...(await httpRuns('bench-onnx')), ...(await standaloneRuns('bench-onnx'))];
  // The machine's speed drifts over the minutes the HTTP runs take: the baseline is measured before and after.
  const again = await loop('direct InferenceSession.run, batch 1, again', 1, () =>
    session.run({ input: one }),
  );
  paired = await pairedRatios('bench-onnx', () =>
    loop('direct, paired', 1, () => session.run({ input: one })),
  );
  await session.release();
  tables.push({
    title: 'ONNX MLP 784→256→10 (onnxruntime-node, CPU)',
    rows: [d1, d32, ...http, again],
    base: { ...d1, rowsPerSecond: (d1.rowsPerSecond + again.rowsPerSecond) / 2 },
  });
}

// --- Fashion-MNIST example (TF.js, wasm) ---------------------------------------------------------------------
const example = resolve(here, '../examples/fashion-mnist/tf.ts');
if (existsSync(example)) {
  try {
    const ex = (await import(example)) as {
      buildMlp: (hidden: number, lr: number) => tf.LayersModel;
      toTfjsFiles: (m: tf.LayersModel) => Promise<Record<string, Uint8Array>>;
    };
    await wasmBackend();
    const model = ex.buildMlp(128, 0.001);
    const files = await ex.toTfjsFiles(model);
    const one = tf.tensor2d([row]);
    const x32 = tf.tensor2d(Array.from({ length: 32 }, () => row));
    const predict = async (x: tf.Tensor2D) => {
      const y = model.predict(x) as tf.Tensor;
      await y.data();
      y.dispose();
    };
    const d1 = await loop('direct model.predict, batch 1', 1, () => predict(one));
    const d32 = await loop('direct model.predict, batch 32', 32, () => predict(x32));
    const g = await models.saveGeneration({
      model: 'bench-fashion',
      type: 'classifier/mlp',
      format: 'tfjs',
      files,
    });
    await models.setStage('bench-fashion', g.generation, 'production');
    tables.push({
      title: 'Fashion-MNIST example MLP 784→128→10 (TF.js, wasm backend, untrained weights)',
      rows: [d1, d32, ...(await httpRuns('bench-fashion'))],
    });
  } catch (err) {
    console.error(`skipping the Fashion-MNIST model: ${String(err)}`);
  }
}

await manager.close();
await rm(dir, { recursive: true, force: true });

const f = (v: number, d = 0) => v.toFixed(d).padStart(9);
console.log(
  `Serving bench: ${SECONDS}s per run, ${cpus().length} CPUs (server, loader and runtime share them), node ${process.version}`,
);
console.log(`loader: ${loaderName}`);
if (paired.length > 0) {
  const pct = (r: number) => `${(r * 100).toFixed(0)}%`;
  const sorted = [...paired].sort((a, b) => a - b);
  console.log(
    `c=64 target, ${paired.length} pairs (direct batch-1 loop, then swarmlab serve --workers ${cpus().length} ` +
      `c=64 v2 binary): ${paired.map(pct).join(', ')}; median ${pct(sorted[Math.floor(sorted.length / 2)]!)}`,
  );
}
for (const t of tables) {
  const base = t.base ?? t.rows.find((r) => r.label.includes('batch 1'));
  const c1off = t.rows.find((r) => r.label.startsWith('HTTP c=1,') && r.label.includes('off'));
  const c1on = t.rows.find((r) => r.label.startsWith('HTTP c=1,') && r.label.includes('on'));
  const c64on = t.rows.find((r) => r.label.startsWith('HTTP c=64,') && r.label.includes('on'));
  const best = t.rows
    .filter((r) => r.label.includes('c=64') && !r.label.includes('off'))
    .sort((a, b) => b.rowsPerSecond - a.rowsPerSecond)[0];
  console.log(`\n${t.title}`);
  if (base && t.base) {
    console.log(
      `ratios against ${base.rowsPerSecond.toFixed(0)} rows/s: the direct batch-1 loop, mean of its two runs`,
    );
  }
  console.log(`${'run'.padEnd(46)}   rows/s    req/s  p50 ms  p99 ms  vs direct b1  errors`);
  for (const r of t.rows) {
    const ratio = base
      ? `${((r.rowsPerSecond / base.rowsPerSecond) * 100).toFixed(0)}%`.padStart(12)
      : ''.padStart(12);
    console.log(
      `${r.label.padEnd(46)}${f(r.rowsPerSecond)}${f(r.requestsPerSecond)}${r.p50.toFixed(2).padStart(8)}${r.p99.toFixed(2).padStart(8)}${ratio}${String(r.errors ?? '').padStart(8)}`,
    );
  }
  if (base && c1off && c1on && c64on) {
    console.log(
      `added p99 at c=1 over direct batch 1: ${(c1off.p99 - base.p99).toFixed(2)} ms (batching off), ` +
        `${(c1on.p99 - base.p99).toFixed(2)} ms (on); c=64 batching on: ` +
        `${((c64on.rowsPerSecond / base.rowsPerSecond) * 100).toFixed(0)}% of direct batch-1 rows/s in the manager (v1 JSON)`,
    );
  }
  if (base && best) {
    console.log(
      `best at c=64 with batching: ${best.label}, ${((best.rowsPerSecond / base.rowsPerSecond) * 100).toFixed(0)}% of direct batch-1 rows/s`,
    );
  }
}
