/**
 * The load generator of bench/serving.ts, run in its own process so its CPU is not the server's: a fixed number
 * of keep-alive connections, each sending the next request as soon as the previous answer arrives, for a fixed
 * time after a warm-up. Prints one JSON line: requests, errors, seconds, latency percentiles (ms), generations.
 * Usage: node --import tsx bench/serving-loader.ts URL BODY_FILE CONCURRENCY SECONDS [WARMUP_SECONDS] [HEADERS_JSON]
 */

import { readFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { percentile } from './percentile.js';

const [url, bodyFile, concurrencyArg, secondsArg, warmupArg, headersArg] = process.argv.slice(2);
const extra = JSON.parse(headersArg ?? '{}') as Record<string, string>;
const target = new URL(url!);
const body = bodyFile === '-' ? undefined : readFileSync(bodyFile!);
const concurrency = Number(concurrencyArg);
const seconds = Number(secondsArg);
const warmup = Number(warmupArg ?? 0.5);
const agent = new Agent({ keepAlive: true, maxSockets: concurrency });

function once(): Promise<{ status: number; generation: string | undefined }> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: target.hostname,
        port: target.port,
        path: target.pathname,
        method: body ? 'POST' : 'GET',
        headers: body
          ? { 'content-type': 'application/json', ...extra, 'content-length': body.length }
          : extra,
      },
      (res) => {
        res.on('data', () => {});
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            generation: res.headers['x-swarmlab-generation'] as string | undefined,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

const latencies: number[] = [];
const generations: Record<string, number> = {};
let errors = 0;
let measuring = false;
let stop = false;

async function worker(): Promise<void> {
  while (!stop) {
    const t0 = process.hrtime.bigint();
    let ok = false;
    let generation: string | undefined;
    try {
      const r = await once();
      ok = r.status === 200;
      generation = r.generation;
    } catch {
      ok = false;
    }
    if (!measuring) continue;
    if (!ok) errors++;
    latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
    if (generation) generations[generation] = (generations[generation] ?? 0) + 1;
  }
}

const workers = Array.from({ length: concurrency }, worker);
await new Promise((r) => setTimeout(r, warmup * 1000));
measuring = true;
const start = process.hrtime.bigint();
await new Promise((r) => setTimeout(r, seconds * 1000));
measuring = false;
const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
stop = true;
await Promise.all(workers);
agent.destroy();
latencies.sort((a, b) => a - b);
const pct = (p: number) => percentile(latencies, p);
process.stdout.write(
  `${JSON.stringify({ requests: latencies.length, errors, seconds: elapsed, p50: pct(50), p99: pct(99), generations })}\n`,
);
