/**
 * The one way tests start a real manager in-process: LMDB in a temp dir or Redis under a random prefix, restart, cleanup.
 *
 * Where test support lives: cross-cutting helpers (this manager, Redis, Docker, Chromium, child processes) in
 * src/testing/; a folder's own testing/ only for what is specific to it (the store contract suite, model format
 * writers, dataset fixtures). Nothing under a testing/ folder is built into dist (tsconfig.build.json).
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Manager, startManager } from '../app.js';
import { type ManagerConfig, type ManagerOptions, resolveConfig } from '../config/index.js';
import { SwarmlabClient } from '../sdk/index.js';
import { reapJobs } from './reap.js';
import { dropRedisPrefix, testRedisStore } from './redis.js';

/** The token every test manager accepts unless `token` says otherwise. */
export const TEST_TOKEN = 'test-token-0123456789';

export interface TestManagerOptions extends Omit<ManagerOptions, 'dataDir' | 'store' | 'nodes'> {
  /** Data dir to use and keep (default: a fresh temp dir, removed by `close`). */
  dir?: string;
  /** Store on the test Redis under a random key prefix (removed by `close`) instead of LMDB in the data dir. */
  redis?: boolean;
  /** Declared nodes (`{ nodes: [...] }`, see README), written to nodes.json in the data dir. */
  nodes?: { nodes: unknown[] };
  /**
   * `true` (default) keeps the channel's "session must exist" check; `false` lifts it so transport tests can
   * report for any session id without a session registry.
   */
  admission?: boolean;
}

export interface TestManager {
  /** The running manager; `restart` replaces it. */
  readonly manager: Manager;
  readonly config: ManagerConfig;
  readonly dir: string;
  /** The Redis key prefix with `redis`, else undefined. */
  readonly prefix: string | undefined;
  readonly url: string;
  readonly token: string;
  /** `{ authorization: 'Bearer …' }` for fetch. */
  readonly auth: Record<string, string>;
  /** An API client for the manager (still valid after `restart`: same port). */
  readonly client: SwarmlabClient;
  /** Closes the manager and starts a new one on the same data dir, store and port. */
  restart(): Promise<Manager>;
  /** Closes the manager, removes the Redis prefix and the temp dir; idempotent, tries every step. */
  close(): Promise<void>;
}

export async function testManager(options: TestManagerOptions = {}): Promise<TestManager> {
  const { dir: given, redis, nodes, admission = true, ...rest } = options;
  const dir = given ?? (await mkdtemp(join(tmpdir(), 'swarmlab-test-')));
  const prefix = redis ? `test-${randomUUID()}:` : undefined;
  if (nodes) await writeFile(join(dir, 'nodes.json'), JSON.stringify(nodes));
  const config = resolveConfig({
    dataDir: dir,
    port: 0,
    logLevel: 'silent',
    token: TEST_TOKEN,
    ...(prefix ? { store: testRedisStore(prefix) } : {}),
    ...(nodes ? { nodes: join(dir, 'nodes.json') } : {}),
    ...rest,
  });
  const start = (port: number) => startManager({ ...config, port }, { admitUnknownSessions: !admission });
  let manager = await start(config.port);
  const client = new SwarmlabClient({ url: manager.url, token: manager.token });
  let closing: Promise<void> | undefined;
  return {
    get manager() {
      return manager;
    },
    config,
    dir,
    prefix,
    url: manager.url,
    token: manager.token,
    auth: { authorization: `Bearer ${manager.token}` },
    client,
    async restart() {
      await manager.close();
      manager = await start(Number(new URL(manager.url).port));
      return manager;
    },
    close() {
      closing ??= cleanup([
        () => manager.close(),
        async () => void (await reapJobs(manager.url)),
        ...(prefix ? [() => dropRedisPrefix(prefix)] : []),
        ...(given ? [] : [() => rm(dir, { recursive: true, force: true })]),
      ]);
      return closing;
    },
  };
}

/** Runs the steps in order, each even when an earlier one failed, then throws every failure at once. */
async function cleanup(steps: Array<() => Promise<void>>): Promise<void> {
  const errors: unknown[] = [];
  for (const step of steps) {
    try {
      await step();
    } catch (err) {
      errors.push(err);
    }
  }
  if (errors.length > 0)
    throw new AggregateError(errors, `test manager cleanup: ${errors.length} step(s) failed`);
}
