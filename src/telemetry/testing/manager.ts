/** Test helper: a real manager on a temp data dir (LMDB) or a random Redis prefix, with cleanup. */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Redis } from 'ioredis';
import { type Manager, startManager } from '../../app.js';
import { type ManagerOptions, resolveConfig } from '../../config/index.js';
import { testRedisUrl } from '../../store/testing/redis-url.js';

export const TEST_TOKEN = 'test-token-0123456789';

export interface TestManager {
  manager: Manager;
  dir: string;
  /** Closes the manager and starts a new one on the same data dir, store and port. */
  restart(): Promise<Manager>;
  cleanup(): Promise<void>;
}

/**
 * `admission: false` (default) lifts the "session must exist" check so transport tests need no session
 * registry; `true` keeps the manager's own check.
 */
export async function testManager(
  options: ManagerOptions & { redis?: boolean; admission?: boolean } = {},
): Promise<TestManager> {
  const dir = await mkdtemp(join(tmpdir(), 'swarmlab-telemetry-'));
  const prefix = `test-${randomUUID()}:`;
  const { redis, admission = false, ...rest } = options;
  const config = resolveConfig({
    dataDir: dir,
    port: 0,
    logLevel: 'silent',
    token: TEST_TOKEN,
    ...(redis ? { store: `${testRedisUrl()}?prefix=${prefix}` } : {}),
    ...rest,
  });
  const start = async (port: number) => {
    const manager = await startManager({ ...config, port });
    if (!admission) manager.services.channels.setAdmission(undefined);
    return manager;
  };
  const t: TestManager = {
    manager: await start(config.port),
    dir,
    async restart() {
      const port = Number(new URL(t.manager.url).port);
      await t.manager.close();
      t.manager = await start(port);
      return t.manager;
    },
    async cleanup() {
      await t.manager.close();
      await rm(dir, { recursive: true, force: true });
      if (redis) await dropRedisPrefix(prefix);
    },
  };
  return t;
}

async function dropRedisPrefix(prefix: string): Promise<void> {
  const raw = new Redis(testRedisUrl());
  try {
    let cursor = '0';
    do {
      const [next, keys] = await raw.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length) await raw.unlink(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    raw.disconnect();
  }
}
