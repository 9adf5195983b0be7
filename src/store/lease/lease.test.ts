/** The store lease on real LMDB and real Redis: refusal naming the holder, release, expiry, dead pids, fencing. */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConflictError, LeaseHeldError } from '../../errors/index.js';
import { dropRedisPrefix, testRedisUrl } from '../../testing/redis.js';
import { openLmdbStore } from '../lmdb/index.js';
import { openRedisStore } from '../redis/index.js';
import type { Store } from '../types.js';
import type { LeaseHolder } from './holder.js';
import { acquireLease, LEASE_KEY, type LeaseOptions } from './lease.js';

/** Opens stores on one fresh storage; `cleanup` closes them and deletes it. */
interface Storage {
  open(): Promise<Store>;
  cleanup(): Promise<void>;
}

async function lmdbStorage(): Promise<Storage> {
  const path = await mkdtemp(join(tmpdir(), 'swarmlab-lease-'));
  const opened: Store[] = [];
  return {
    open: async () => opened[opened.push(await openLmdbStore({ path })) - 1]!,
    cleanup: async () => {
      for (const s of opened) await s.close();
      await rm(path, { recursive: true, force: true });
    },
  };
}

async function redisStorage(): Promise<Storage> {
  const prefix = `test-${randomUUID()}:`;
  const opened: Store[] = [];
  return {
    open: async () => opened[opened.push(await openRedisStore({ url: testRedisUrl(), prefix })) - 1]!,
    cleanup: async () => {
      for (const s of opened) await s.close();
      await dropRedisPrefix(prefix);
    },
  };
}

const options = (more: Partial<LeaseOptions> = {}): LeaseOptions => ({
  ttlMs: 10_000,
  onLost: () => assert.fail('lease lost'),
  ...more,
});

/** A pid that was alive a moment ago on this host and is now gone. */
const deadPid = (): number => spawnSync(process.execPath, ['-e', '']).pid;

const foreign = (more: Partial<LeaseHolder> = {}): LeaseHolder => ({
  id: randomUUID(),
  host: 'elsewhere',
  pid: 4242,
  startedAt: new Date().toISOString(),
  ...more,
});

for (const [name, makeStorage] of [
  ['lmdb', lmdbStorage],
  ['redis', redisStorage],
] as const) {
  describe(`store lease: ${name}`, () => {
    const withStorage = (fn: (storage: Storage) => Promise<void>) => async () => {
      const storage = await makeStorage();
      try {
        await fn(storage);
      } finally {
        await storage.cleanup();
      }
    };

    it(
      'a second manager is refused with the holder named; a release lets the next one in at once',
      withStorage(async (storage) => {
        const first = await acquireLease(await storage.open(), options());
        await first.setUrl('http://127.0.0.1:7070');
        const second = await storage.open();
        await assert.rejects(acquireLease(second, options({ hint: 'stop it' })), (e: unknown) => {
          assert.ok(e instanceof LeaseHeldError);
          assert.equal(e.code, 'LEASE_HELD');
          assert.equal((e.details.holder as LeaseHolder).id, first.holder.id);
          assert.match(
            e.message,
            new RegExp(`pid ${process.pid} on ${hostname()} since .*http://127.0.0.1:7070; stop it`),
          );
          return true;
        });
        await first.release();
        await first.release();
        assert.equal(await second.get(LEASE_KEY), undefined);
        const next = await acquireLease(second, options());
        await next.release();
      }),
    );

    it(
      'a standby waits, naming the holder, and takes over when the lease expires',
      withStorage(async (storage) => {
        const store = await storage.open();
        const gone = foreign();
        await store.put(LEASE_KEY, { holder: gone, expiresAt: Date.now() + 400 });
        await assert.rejects(acquireLease(store, options()), LeaseHeldError);
        const waitedFor: LeaseHolder[] = [];
        const started = Date.now();
        const lease = await acquireLease(store, options({ wait: true, onWait: (h) => waitedFor.push(h) }));
        assert.ok(Date.now() - started >= 300, 'took over before the expiry');
        assert.deepEqual(waitedFor, [gone]);
        await lease.release();
      }),
    );

    it(
      name === 'lmdb'
        ? "a holder on this host whose process is dead is gone at once, whatever its lease's expiry"
        : 'a dead local pid does not count on a shared store: only the expiry does',
      withStorage(async (storage) => {
        const store = await storage.open();
        const dead = foreign({ host: hostname(), pid: deadPid() });
        await store.put(LEASE_KEY, { holder: dead, expiresAt: Date.now() + 60_000 });
        if (name === 'lmdb') await (await acquireLease(store, options())).release();
        else await assert.rejects(acquireLease(store, options()), LeaseHeldError);
      }),
    );

    it(
      'a holder whose lease was taken over can write nothing and learns it at its next renewal',
      withStorage(async (storage) => {
        const old = await storage.open();
        let lostTo: LeaseHolder | undefined;
        const stale = await acquireLease(old, options({ ttlMs: 200, onLost: (h) => (lostTo = h) }));
        await old.put('doc', 'old holder');
        // A pause longer than the TTL: the holder stops renewing without knowing it.
        const renew = stale.renew.bind(stale);
        stale.renew = async () => undefined;
        const successor = await storage.open();
        const lease = await acquireLease(successor, options({ wait: true }));
        await assert.rejects(old.put('doc', 'stale write'), ConflictError);
        await assert.rejects(old.commit([{ op: 'append', log: 'log', value: 1 }]), ConflictError);
        assert.equal((await successor.get('doc'))?.value, 'old holder');
        assert.equal(await successor.lastCursor('log'), 0);
        await renew();
        assert.equal(lostTo?.id, lease.holder.id);
        await stale.release();
        assert.equal(
          (await successor.get<{ holder: LeaseHolder }>(LEASE_KEY))?.value.holder.id,
          lease.holder.id,
        );
        await successor.put('doc', 'successor');
        await lease.release();
      }),
    );
  });
}
