/**
 * Takeover benchmark (npm run bench:lease): how long a standby manager takes to serve a store after its holder
 * dies (kill -9) or stops (SIGTERM), on LMDB (dead pid on this host) and Redis (lease expiry, default TTL). The
 * holder is a real `swarmlab up` process; the standby runs in this process, already waiting when the holder goes,
 * and is timed from the signal to its manager being ready. The kill lands at a random point of the renewal cycle.
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { startManager } from '../src/app.js';
import { defaults, type ManagerOptions, resolveConfig } from '../src/config/index.js';
import { killProcess, spawnManager } from '../src/testing/manager-process.js';
import { dropRedisPrefix, testRedisStore } from '../src/testing/redis.js';
import { ascending, percentile } from './percentile.js';

const RUNS = Number(process.env.RUNS ?? 5);
const TTL_MS = resolveConfig({}).leaseTtlMs;

/** One takeover: holder up, standby waiting, holder signalled at a random phase; ms until the standby is ready. */
async function takeover(store: ManagerOptions['store'], signal: NodeJS.Signals): Promise<number> {
  const holderDir = await mkdtemp(join(tmpdir(), 'swarmlab-lease-bench-'));
  // LMDB lives in the data dir, so both managers share it; on Redis each has its own.
  const standbyDir = store === 'lmdb' ? holderDir : await mkdtemp(join(tmpdir(), 'swarmlab-lease-bench-'));
  try {
    const holder = await spawnManager(['--data-dir', holderDir, '--port', '0', '--store', store!]);
    let waiting!: () => void;
    const told = new Promise<void>((resolve) => {
      waiting = resolve;
    });
    const config = resolveConfig({ dataDir: standbyDir, port: 0, logLevel: 'silent', store, standby: true });
    const standby = startManager(config, { onStandby: () => waiting() });
    await told;
    await sleep(Math.random() * (TTL_MS / 3));
    const signalledAt = performance.now();
    await killProcess(holder.child, signal);
    const manager = await standby;
    const ms = performance.now() - signalledAt;
    await manager.close();
    return ms;
  } finally {
    await rm(holderDir, { recursive: true, force: true });
    await rm(standbyDir, { recursive: true, force: true });
  }
}

async function main(): Promise<void> {
  const prefix = `bench-lease-${randomUUID()}:`;
  const redis = testRedisStore(prefix);
  console.log(
    `standby takeover, ${RUNS} runs each, lease TTL ${defaults.leaseTtl}; ms from the signal to ready`,
  );
  console.log('case                     min     p50     max');
  try {
    for (const [name, store, signal] of [
      ['lmdb, kill -9', 'lmdb', 'SIGKILL'],
      ['lmdb, SIGTERM', 'lmdb', 'SIGTERM'],
      ['redis, kill -9', redis, 'SIGKILL'],
      ['redis, SIGTERM', redis, 'SIGTERM'],
    ] as const) {
      const times: number[] = [];
      for (let i = 0; i < RUNS; i++) times.push(await takeover(store, signal));
      const sorted = ascending(times);
      const cells = [sorted[0]!, percentile(sorted, 50), sorted.at(-1)!].map((t) => t.toFixed(0).padStart(7));
      console.log(`${name.padEnd(20)}${cells.join(' ')}`);
    }
  } finally {
    await dropRedisPrefix(prefix);
  }
}

await main();
