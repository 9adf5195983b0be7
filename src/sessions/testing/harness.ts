/** Test harness: a SessionManager on LMDB in a temp dir with a declared fake GPU node and a real local executor. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { EventArchive, type SwarmEvent } from '../../events/index.js';
import { type Executor, LocalExecutor } from '../../executors/index.js';
import { type NodeSpec, Scheduler } from '../../scheduler/index.js';
import { openLmdbStore, type Store } from '../../store/index.js';
import { SessionManager } from '../manager.js';
import type { SessionManagerOptions } from '../options.js';
import { isTerminal } from '../states.js';
import type { DatasetResolver, SessionRecord } from '../types.js';

export const fakeGpuNode = (cpus = 8, gpus = 4): NodeSpec => ({
  name: 'gpu-box',
  pool: 'training',
  labels: {},
  capacity: {
    cpus,
    memoryMb: 16_000,
    gpus: Array.from({ length: gpus }, (_, index) => ({ index, name: 'FakeGPU', memoryMb: 16_000 })),
  },
});

export const quiet = { info() {}, warn() {}, error() {} };

/** argv running a node script. */
export const nodeScript = (code: string): string[] => [process.execPath, '-e', code];

export interface Harness {
  dir: string;
  store: Store;
  events: EventArchive;
  manager: SessionManager;
  /** A fresh manager on the same data dir and store (after `manager.close()`), as after a restart. */
  restart(): Promise<SessionManager>;
  waitFor(id: string, pred?: (r: SessionRecord) => boolean, timeoutMs?: number): Promise<SessionRecord>;
  eventsOf(id: string): Promise<SwarmEvent[]>;
  close(): Promise<void>;
}

export async function harness(
  options: Partial<SessionManagerOptions> & {
    nodes?: NodeSpec[];
    datasets?: DatasetResolver;
    /** Default: a real local executor; called again on each restart. */
    executor?: () => Promise<Executor>;
  } = {},
): Promise<Harness> {
  const dir = await mkdtemp(join(tmpdir(), 'swarmlab-sessions-'));
  const store = await openLmdbStore({ path: join(dir, 'store') });
  const events = new EventArchive(store);
  const make = async () => {
    const m = new SessionManager(
      {
        store,
        events,
        scheduler: new Scheduler(options.nodes ?? [fakeGpuNode()]),
        executor: options.executor ? await options.executor() : new LocalExecutor({ pollMs: 50 }),
        logger: quiet,
        ...(options.datasets ? { datasets: options.datasets } : {}),
      },
      {
        dataDir: dir,
        publicUrl: () => 'http://127.0.0.1:1',
        sessionToken: () => 'test-token',
        stopGraceMs: 2000,
        ...options,
      },
    );
    await m.start();
    return m;
  };
  const h: Harness = {
    dir,
    store,
    events,
    manager: await make(),
    async restart() {
      h.manager = await make();
      return h.manager;
    },
    async waitFor(id, pred = (r) => isTerminal(r.state), timeoutMs = 20_000) {
      const end = Date.now() + timeoutMs;
      for (;;) {
        const r = await h.manager.repo.get(id);
        if (r && pred(r)) return r;
        if (Date.now() > end) throw new Error(`session ${id} timed out in state ${r?.state}`);
        await new Promise((res) => setTimeout(res, 20));
      }
    },
    async eventsOf(id) {
      return (await events.page({ sessionId: id }, { limit: 10_000 })).events;
    },
    async close() {
      await h.manager.close();
      await store.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return h;
}
