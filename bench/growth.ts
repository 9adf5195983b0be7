/**
 * Bounded growth: 24 hours of simulated lab traffic, time-compressed, against a real manager, with and without a
 * retention policy. Every simulated hour it prints the store's size (LMDB: bytes allocated by the environment's
 * files; Redis: MEMORY USAGE summed over the manager's keys) and the process RSS (manager plus this generator).
 *
 * The lab: a session starts every 10 minutes and trains for 40 (about 4 at once, in 2 projects); each prints 2
 * lines a second (a batch a minute) and reports 4 metrics every 30 seconds, through the same store writes as the
 * real paths (session output with its `session.log` event, report batches with their `session.metric` events).
 * Compression: a simulated hour lasts SECONDS_PER_HOUR real seconds and the policy's durations are scaled alike,
 * so stored timestamps stay real and the retention timer runs as it would in production.
 *
 * Each run is its own process, so one run's heap does not show in the next one's RSS.
 *
 * Usage: node --import tsx bench/growth.ts [lmdb|redis|both] [SECONDS_PER_HOUR=5] [HOURS=24]
 */
import { execFile } from 'node:child_process';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { Redis } from 'ioredis';
import type { RetentionOptions } from '../src/config/index.js';
import { DEFAULT_RESOURCES, newSessionId, type SessionRecord } from '../src/sessions/index.js';
import { batchOps } from '../src/telemetry/batch-ops.js';
import { packPoints } from '../src/telemetry/index.js';
import { type TestManager, testManager } from '../src/testing/manager.js';
import { redisKeys, testRedisUrl } from '../src/testing/redis.js';
import { ascending, percentile } from './percentile.js';

/** `--run BACKEND MODE …`: one simulation in this process, its samples printed as JSON (the parent's child). */
const child = process.argv[2] === '--run';
const args = child ? process.argv.slice(5) : process.argv.slice(3);
const which = child ? process.argv[3]! : (process.argv[2] ?? 'both');
const SECONDS_PER_HOUR = Number(args[0] ?? 5);
const HOURS = Number(args[1] ?? 24);
const MINUTE_MS = (SECONDS_PER_HOUR * 1000) / 60;
/** A simulated duration as real milliseconds, in the config's syntax. */
const sim = (minutes: number): string => `${Math.round(minutes * MINUTE_MS)}ms`;

/** Production-like policy, in simulated time. */
const POLICY: RetentionOptions = {
  retainEvents: sim(6 * 60),
  maxEvents: '200k',
  retainLogs: sim(6 * 60),
  maxLogLines: '5k',
  retainMetrics: sim(12 * 60),
  maxMetricBatches: '2k',
  retainSessions: sim(12 * 60),
  keepBest: '3:metric.loss.min',
  retentionInterval: sim(5),
};

interface Sample {
  hour: number;
  storeMb: number;
  rssMb: number;
  sessions: number;
  /** p99 over the hour of `GET /api/v1/sessions?limit=20`, probed once a simulated minute (ms). */
  p99Ms: number;
}

async function dirBytes(dir: string): Promise<number> {
  let total = 0;
  for (const e of await readdir(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    total += e.isDirectory() ? await dirBytes(p) : (await stat(p)).blocks * 512;
  }
  return total;
}

async function redisBytes(prefix: string): Promise<number> {
  const keys = await redisKeys(prefix);
  const redis = new Redis(testRedisUrl());
  try {
    let total = 0;
    for (let i = 0; i < keys.length; i += 500) {
      const p = redis.pipeline();
      for (const k of keys.slice(i, i + 500)) p.memory('USAGE', k);
      for (const [, n] of (await p.exec()) ?? []) total += Number(n ?? 0);
    }
    return total;
  } finally {
    redis.disconnect();
  }
}

const storeBytes = (t: TestManager) => (t.prefix ? redisBytes(t.prefix) : dirBytes(join(t.dir, 'store')));

function record(id: string, k: number, now: number): SessionRecord {
  return {
    id,
    name: `train-${k}`,
    command: ['python', 'train.py'],
    shell: false,
    cwd: '/tmp',
    env: {},
    resources: DEFAULT_RESOURCES,
    priority: 0,
    pool: 'training',
    labels: {},
    params: { lr: 10 ** -(1 + (k % 4)) },
    project: `p${k % 2}`,
    state: 'running',
    createdAt: now,
    startedAt: now,
    exitCode: null,
    signal: null,
  };
}

async function simulate(redis: boolean, policy: RetentionOptions | undefined): Promise<Sample[]> {
  const t = await testManager({ redis, ...policy });
  const { store, services } = t.manager;
  const repo = services.sessions.repo;
  const deps = { archive: services.events, series: services.series };
  const running = new Map<string, { k: number; until: number; step: number }>();
  const samples: Sample[] = [];
  const started = Date.now();
  let k = 0;
  let latencies: number[] = [];
  try {
    for (let minute = 0; minute < HOURS * 60; minute++) {
      if (minute % 10 === 0) {
        const id = newSessionId();
        await repo.create(record(id, k, Date.now()), {
          type: 'session.submitted',
          sessionId: id,
          data: { name: `train-${k}`, priority: 0, pool: 'training' },
        });
        running.set(id, { k: k++, until: minute + 40, step: 0 });
      }
      for (const [id, s] of running) {
        const lines = Array.from(
          { length: 120 },
          (_, i) => `step ${s.step} batch ${i} loss=${(1 / (s.step + 1)).toFixed(4)}`,
        );
        await repo.appendOutput(id, { stream: 'stdout', lines, offsets: { stdout: minute, stderr: 0 } });
        for (let b = 0; b < 2; b++) {
          s.step++;
          const loss = 1 / (s.step + (s.k % 5));
          const points = ['loss', 'acc', 'lr', 'grad'].map(
            (name, j) =>
              [name, j === 0 ? loss : Math.random(), s.step, Date.now()] as [string, number, number, number],
          );
          await store.commit(batchOps(deps, id, { k: 'batch', q: s.step, m: packPoints(points) }));
        }
        if (minute >= s.until) {
          running.delete(id);
          await repo.transition(
            id,
            'succeeded',
            () => ({ endedAt: Date.now(), exitCode: 0 }),
            (r) => ({
              type: 'session.exited',
              sessionId: id,
              data: { state: r.state, exitCode: 0, signal: null },
            }),
          );
        }
      }
      // Serving while the lab writes and retention trims: one API read a simulated minute.
      const probe = performance.now();
      await t.client.json('GET', '/api/v1/sessions?limit=20');
      latencies.push(performance.now() - probe);
      // Paced to the compressed clock: traffic is a rate, not a burst.
      const due = started + (minute + 1) * MINUTE_MS;
      if (due > Date.now()) await new Promise((r) => setTimeout(r, due - Date.now()));
      if ((minute + 1) % 60 === 0) {
        samples.push({
          hour: (minute + 1) / 60,
          storeMb: (await storeBytes(t)) / 1e6,
          rssMb: process.memoryUsage().rss / 1e6,
          sessions: (await repo.list({ limit: 1 })).total,
          p99Ms: percentile(ascending(latencies), 99),
        });
        latencies = [];
      }
    }
    // On a loaded machine the generator may fall behind its pace: then a simulated hour lasted longer than planned.
    const wall = (Date.now() - started) / 1000;
    console.log(
      `  ${t.prefix ? 'redis' : 'lmdb'} ${policy ? 'with' : 'without'}: ${HOURS} h took ${wall.toFixed(0)} s (paced ${HOURS * SECONDS_PER_HOUR} s)`,
    );
    if (policy) {
      const status = services.retention.status();
      console.log(`  retention removed: ${JSON.stringify(status.totals)} in ${status.passes} passes`);
    }
    return samples;
  } finally {
    await t.close();
  }
}

function report(label: string, without: Sample[], withPolicy: Sample[]): void {
  console.log(
    `\n${label}: simulated hour | store MB without / with retention | RSS MB without / with | sessions`,
  );
  for (let i = 0; i < without.length; i++) {
    const a = without[i]!;
    const b = withPolicy[i]!;
    if (a.hour % 3 !== 0 && i !== 0) continue;
    console.log(
      `  h${String(a.hour).padStart(2)}  ${a.storeMb.toFixed(1).padStart(8)} / ${b.storeMb.toFixed(1).padStart(7)}` +
        `   ${a.rssMb.toFixed(0).padStart(5)} / ${b.rssMb.toFixed(0).padStart(5)}   ${a.sessions} / ${b.sessions}` +
        `   ${a.p99Ms.toFixed(0)} / ${b.p99Ms.toFixed(0)}`,
    );
  }
  const growth = (s: Sample[], f: (x: Sample) => number) =>
    f(s.at(-1)!) / f(s[Math.floor(s.length / 2) - 1]!);
  console.log(
    `  second-half growth (h${HOURS} / h${HOURS / 2}): store ${growth(without, (s) => s.storeMb).toFixed(2)}x without, ` +
      `${growth(withPolicy, (s) => s.storeMb).toFixed(2)}x with; ` +
      `RSS ${growth(without, (s) => s.rssMb).toFixed(2)}x without, ${growth(withPolicy, (s) => s.rssMb).toFixed(2)}x with`,
  );
}

async function runChild(backend: string, mode: 'with' | 'without'): Promise<Sample[]> {
  const argv = [
    '--import',
    'tsx',
    import.meta.filename,
    '--run',
    backend,
    mode,
    String(SECONDS_PER_HOUR),
    String(HOURS),
  ];
  const { stdout } = await promisify(execFile)(process.execPath, argv, { maxBuffer: 16 * 1024 * 1024 });
  const lines = stdout.trim().split('\n');
  for (const l of lines.slice(0, -1)) console.log(l);
  return JSON.parse(lines.at(-1)!) as Sample[];
}

if (child) {
  const samples = await simulate(which === 'redis', process.argv[4] === 'with' ? POLICY : undefined);
  console.log(JSON.stringify(samples));
} else {
  console.log(
    `growth: ${HOURS} simulated hours at ${SECONDS_PER_HOUR} s each; policy ${JSON.stringify(POLICY)} (sim-scaled)`,
  );
  for (const backend of which === 'both' ? ['lmdb', 'redis'] : [which]) {
    const without = await runChild(backend, 'without');
    const withPolicy = await runChild(backend, 'with');
    report(backend, without, withPolicy);
  }
}
