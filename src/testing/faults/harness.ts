/**
 * One fault-test manager: `swarmlab up` as a child process on a fixed data dir and store, killed with SIGKILL and
 * started again (as a standby, so a Redis lease the dead one left is waited out rather than refused).
 */
import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SwarmlabClient } from '../../sdk/index.js';
import { killProcess, type ManagerProcess, spawnManager } from '../manager-process.js';
import { dropRedisPrefix, testRedisStore } from '../redis.js';

export type FaultStore = 'lmdb' | 'redis';

const TOKEN = 'fault-test-token';
// Short on Redis so the restart after a kill -9 waits out the dead manager's lease in about a second.
const REDIS_LEASE_TTL = '1500ms';

export class FaultManager {
  readonly dir: string;
  /** The `--store` value. */
  readonly spec: string;
  readonly prefix: string | undefined;
  readonly #args: string[];
  #process: ManagerProcess | undefined;
  #client: SwarmlabClient | undefined;

  private constructor(dir: string, spec: string, prefix: string | undefined, args: string[]) {
    this.dir = dir;
    this.spec = spec;
    this.prefix = prefix;
    this.#args = args;
  }

  /** A data dir (and Redis prefix) of its own; `extra` are more `swarmlab up` flags. */
  static async create(store: FaultStore, extra: string[] = []): Promise<FaultManager> {
    const dir = await mkdtemp(join(tmpdir(), 'swarmlab-faults-'));
    const prefix = store === 'redis' ? `faults-${randomUUID()}:` : undefined;
    const spec = prefix ? testRedisStore(prefix) : 'lmdb';
    const args = ['--data-dir', dir, '--port', '0', '--store', spec, '--token', TOKEN, '--standby'];
    if (prefix) args.push('--lease-ttl', REDIS_LEASE_TTL);
    return new FaultManager(dir, spec, prefix, [...args, ...extra]);
  }

  /** The client of the running manager (its port changes with every start). */
  get client(): SwarmlabClient {
    if (!this.#client) throw new Error('fault manager: not started');
    return this.#client;
  }

  async start(): Promise<void> {
    this.#process = await spawnManager(this.#args);
    this.#client = new SwarmlabClient({ url: this.#process.url, token: TOKEN });
  }

  /** kill -9; resolves once the process is gone. */
  async kill(): Promise<void> {
    if (this.#process) await killProcess(this.#process.child);
    this.#process = undefined;
  }

  /** Stops the manager cleanly (SIGTERM). */
  async stop(): Promise<void> {
    if (this.#process) await killProcess(this.#process.child, 'SIGTERM');
    this.#process = undefined;
  }

  /** Stops the manager and removes its data dir and Redis keys. */
  async close(): Promise<void> {
    await this.stop();
    if (this.prefix) await dropRedisPrefix(this.prefix);
    await rm(this.dir, { recursive: true, force: true });
  }
}
