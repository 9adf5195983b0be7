/** One manager per store: a second one is refused naming the first, a standby takes over, a crash frees the store. */
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { type Manager, startManager } from './app.js';
import { type ManagerOptions, resolveConfig } from './config/index.js';
import { ConflictError, LeaseHeldError, UnavailableError } from './errors/index.js';
import { LEASE_KEY, type LeaseHolder, openRedisStore } from './store/index.js';
import { TEST_TOKEN, testManager } from './testing/manager.js';
import { killProcess, spawnManager } from './testing/manager-process.js';
import { dropRedisPrefix, testRedisStore, testRedisUrl } from './testing/redis.js';

describe('one manager per store', () => {
  const cleanups: Array<() => Promise<unknown>> = [];
  after(async () => {
    for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  });
  const tempDir = async () => {
    const dir = await mkdtemp(join(tmpdir(), 'swarmlab-lease-'));
    cleanups.push(() => rm(dir, { recursive: true, force: true }));
    return dir;
  };
  const start = async (options: ManagerOptions): Promise<Manager> => {
    const config = resolveConfig({ port: 0, logLevel: 'silent', token: TEST_TOKEN, ...options });
    const manager = await startManager(config);
    cleanups.push(() => manager.close());
    return manager;
  };
  const refusal = (first: Manager) => (e: unknown) => {
    assert.ok(e instanceof LeaseHeldError, String(e));
    assert.match(e.message, new RegExp(`pid ${process.pid} on ${hostname()} since .*serving ${first.url}`));
    assert.match(e.message, /--standby/);
    return true;
  };

  for (const redis of [false, true]) {
    it(`a second manager on the same ${redis ? 'Redis prefix' : 'data dir'} is refused, naming the first; a clean close lets it start`, async () => {
      const first = await testManager({ redis });
      cleanups.push(() => first.close());
      const again = { ...first.config, port: 0 };
      await assert.rejects(startManager(again), refusal(first.manager));
      await first.manager.close();
      const second = await startManager(again);
      await second.close();
    });
  }

  it('after kill -9 an LMDB successor starts at once: the holder is a dead process on this host', async () => {
    const dir = await tempDir();
    const { child } = await spawnManager(['--data-dir', dir, '--port', '0']);
    await killProcess(child);
    await (await start({ dataDir: dir })).close();
  });

  it('after kill -9 on Redis a plain start is refused until the TTL passes; a standby takes over then', async () => {
    const prefix = `test-${randomUUID()}:`;
    cleanups.push(() => dropRedisPrefix(prefix));
    const store = testRedisStore(prefix);
    const args = ['--data-dir', await tempDir(), '--port', '0', '--store', store, '--lease-ttl', '3s'];
    const { child, url } = await spawnManager(args);
    await killProcess(child);
    const killedAt = Date.now();
    const successor = { dataDir: await tempDir(), store, leaseTtl: '3s' };
    await assert.rejects(start(successor), (e: unknown) => {
      assert.ok(e instanceof LeaseHeldError);
      assert.equal((e.details.holder as LeaseHolder).pid, child.pid);
      assert.match(e.message, new RegExp(`serving ${url}`));
      return true;
    });
    const standby = await start({ ...successor, standby: true });
    const tookMs = Date.now() - killedAt;
    assert.ok(tookMs < 3000 + 1500, `took over after ${tookMs} ms`);
    await standby.close();
  });

  it('a standby is told who holds the store, and starts as soon as the holder closes', async () => {
    const first = await testManager({ redis: true });
    cleanups.push(() => first.close());
    const told: LeaseHolder[] = [];
    const config = resolveConfig({ ...first.config, port: 0, standby: true });
    const standby = startManager(config, { onStandby: (holder) => told.push(holder) });
    while (told.length === 0) await new Promise((resolve) => setTimeout(resolve, 20));
    assert.equal(told[0]!.url, first.url);
    await first.manager.close();
    await (await standby).close();
  });

  it('a manager whose lease was taken over cannot write, and shuts itself down', async () => {
    const prefix = `test-${randomUUID()}:`;
    cleanups.push(() => dropRedisPrefix(prefix));
    const options = { dataDir: await tempDir(), store: testRedisStore(prefix), leaseTtl: '1s' };
    const stale = await start(options);
    // As if it had been paused past its TTL: its lease doc shows it expired.
    const raw = await openRedisStore({ url: testRedisUrl(), prefix });
    cleanups.push(() => raw.close());
    const lease = await raw.get<{ holder: LeaseHolder }>(LEASE_KEY);
    await raw.put(LEASE_KEY, { ...lease!.value, expiresAt: 0 });
    const successor = await start({ ...options, dataDir: await tempDir() });
    // Fenced (ConflictError), or already closed if its renewal found the successor first (UnavailableError).
    await assert.rejects(
      stale.store.put('stale-write', 1),
      (e: unknown) => e instanceof ConflictError || e instanceof UnavailableError,
    );
    assert.equal(await successor.store.get('stale-write'), undefined);
    await stale.closed;
    assert.ok((await fetch(`${successor.url}/healthz`)).ok);
  });
});
