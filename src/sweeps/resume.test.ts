// A sweep survives a manager killed with SIGKILL mid-trial: the next manager on the same data dir and store
// (LMDB, or Redis under a prefix of its own) resumes it from the event archive, and every trial runs exactly once.
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { SweepView } from '../api/sweeps.js';
import { SwarmlabClient } from '../sdk/index.js';
import type { SessionPage } from '../sessions/index.js';
import { killProcess, spawnManager } from '../testing/manager-process.js';
import { dropRedisPrefix, redisKeys, testRedisStore } from '../testing/redis.js';
import { sweepKey } from './state.js';
import { objective, objectiveCommand, SDK } from './testing/objective.js';

const freePort = () =>
  new Promise<number>((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => res(port));
    });
  });
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const backend of ['lmdb', 'redis'] as const) {
  describe(`a sweep across a manager kill (${backend})`, { timeout: 240_000 }, () => {
    const prefix = backend === 'redis' ? `test-${randomUUID()}:` : undefined;
    let dir: string;
    let args: string[];
    let manager: ChildProcess | undefined;
    let client: SwarmlabClient;

    before(async () => {
      assert.ok(existsSync(SDK), `the trials need the built SDK at ${SDK}: run npm run build`);
      dir = await mkdtemp(join(tmpdir(), 'swarmlab-sweep-kill-'));
      const nodes = { nodes: [{ name: 'box', capacity: { cpus: 8, memoryMb: 8000, gpus: [] } }] };
      await writeFile(join(dir, 'nodes.json'), JSON.stringify(nodes));
      const port = await freePort();
      args = [
        '--data-dir',
        dir,
        '--port',
        String(port),
        '--nodes',
        join(dir, 'nodes.json'),
        '--no-local-node',
      ];
      args.push('--token', 'sweep-kill-token');
      // On Redis the killed manager's lease outlives it: the next one waits it out as a standby (a short TTL).
      if (prefix) args.push('--store', testRedisStore(prefix), '--standby', '--lease-ttl', '1500ms');
      client = new SwarmlabClient({ url: `http://127.0.0.1:${port}`, token: 'sweep-kill-token' });
    });
    after(async () => {
      if (manager) await killProcess(manager);
      if (prefix) await dropRedisPrefix(prefix);
      await rm(dir, { recursive: true, force: true });
    });

    const get = (id: string) => client.json<SweepView>('GET', `/api/v1/sweeps/${id}`);
    async function until(id: string, done: (s: SweepView) => boolean, what: string): Promise<SweepView> {
      const end = Date.now() + 180_000;
      for (;;) {
        const s = await get(id);
        if (done(s)) return s;
        if (Date.now() > end)
          throw new Error(`sweep ${id}: ${what} not reached: ${JSON.stringify(s.trials)}`);
        await sleep(100);
      }
    }

    it('resumes: the running trial is followed to its end, the rest are submitted once each', async () => {
      manager = (await spawnManager(args)).child;
      const sweep = await client.json<SweepView>('POST', '/api/v1/sweeps', {
        body: {
          algorithm: 'grid',
          space: { q: { kind: 'choice', values: [1, 3, 2] } },
          metric: 'score',
          mode: 'max',
          session: { command: objectiveCommand(4, 400) },
        },
      });
      // Killed while the first trial runs and has reported, so some of its epochs land while no manager runs.
      await until(sweep.id, (s) => s.trials[0]!.resource >= 1, 'a first epoch');
      await killProcess(manager);
      await sleep(1000);
      manager = (await spawnManager(args)).child;

      const done = await until(sweep.id, (s) => s.state !== 'running', 'the end');
      assert.equal(done.state, 'completed');
      assert.deepEqual(
        done.trials.map((t) => [t.params.q, t.state, t.resource, t.value]),
        [1, 3, 2].map((q) => [q, 'succeeded', 4, objective({ q }, 4)]),
      );
      assert.deepEqual(done.best && [done.best.index, done.best.value], [1, 12]);
      assert.equal(done.totalResource, 12);
      const tagged = await client.json<SessionPage>('GET', '/api/v1/sessions', {
        query: { tag: `sweep-${sweep.id}` },
      });
      assert.equal(tagged.total, 3, 'one session per trial');
      if (prefix) {
        const doc = `doc:${sweepKey(sweep.id)}`;
        assert.deepEqual(await redisKeys(prefix, doc), [prefix + doc], 'the sweep is kept in Redis');
      }
    });
  });
}
