import assert from 'node:assert/strict';
import { after, before, describe, it, type TestContext } from 'node:test';
import { DockerExecutor, ExecutorRouter, LocalExecutor } from '../executors/index.js';
import type { NodeSpec } from '../scheduler/index.js';
import { ensureImages, NO_DOCKER, NODE_IMAGE, type TestDocker, testDocker } from '../testing/docker.js';
import { fakeGpuNode, type Harness, harness } from './testing/harness.js';

/**
 * Rank 0 listens on MASTER_PORT, every other rank connects to MASTER_ADDR:MASTER_PORT and says its rank: the
 * rendezvous works between the gang's containers. `fail` ranks exit with 3 once connected.
 */
const meet = (fail: number[] = []) => [
  'node',
  '-e',
  `const net = require('net'); const e = process.env; const rank = Number(e.RANK);
   if (rank === 0) {
     let heard = 0;
     net.createServer((s) => s.on('data', (d) => { console.log('rank 0 heard ' + d);
       if (++heard === Number(e.WORLD_SIZE) - 1) process.exit(0); })).listen(Number(e.MASTER_PORT));
   } else {
     const tryIt = () => { const c = net.connect(Number(e.MASTER_PORT), e.MASTER_ADDR, () => {
       c.end(String(rank)); console.log('rank ' + rank + ' connected');
       if (${JSON.stringify(fail)}.includes(rank)) setTimeout(() => process.exit(3), 100); });
       c.on('error', () => setTimeout(tryIt, 100)); };
     tryIt();
   }`,
];

for (const mode of ['container', 'swarm'] as const) {
  describe(`gang sessions in Docker, ${mode} mode (real engine)`, () => {
    let engine: TestDocker | undefined;
    let h: Harness;
    before(async () => {
      engine = await testDocker();
      if (!engine) return;
      await ensureImages(engine.docker);
      const host = engine.host;
      // In swarm mode the ranks are services pinned to the swarm's node (this engine, a single-node swarm).
      const swarm: NodeSpec = {
        ...fakeGpuNode(),
        name: `swarm:${(await engine.docker.info()).Name}`,
        engine: 'swarm',
      };
      h = await harness({
        containerEngine: mode === 'swarm' ? 'swarm' : 'local',
        stopGraceMs: 2000,
        nodes: mode === 'swarm' ? [fakeGpuNode(), swarm] : [fakeGpuNode()],
        executor: async () =>
          new ExecutorRouter(
            new LocalExecutor({ pollMs: 50 }),
            await DockerExecutor.connect({ host, mode, pollMs: 100 }),
          ),
      });
    });
    after(async () => {
      if (engine) await h.close();
    });

    const test = (name: string, fn: () => Promise<void>) =>
      it(name, async (t: TestContext) => {
        if (!engine) return t.skip(NO_DOCKER);
        await fn();
      });

    test('every rank is a container (or service); they meet at the rendezvous; one record, logs by rank', async () => {
      const s = await h.manager.submit({ command: meet(), image: NODE_IMAGE, replicas: 3 });
      const done = await h.waitFor(s.id, undefined, 90_000);
      const lines = (await h.manager.logs(s.id)).lines;
      assert.equal(done.state, 'succeeded', JSON.stringify(lines));
      assert.deepEqual(
        done.ranks?.map((r) => [r.rank, r.exitCode, r.handle?.executor]),
        [0, 1, 2].map((i) => [i, 0, 'docker']),
      );
      assert.deepEqual(
        done.ranks?.map((r) => typeof r.handle?.[mode === 'swarm' ? 'service' : 'container']),
        ['string', 'string', 'string'],
      );
      assert.deepEqual(
        lines
          .filter((l) => l.rank === 0)
          .map((l) => l.line)
          .sort(),
        ['rank 0 heard 1', 'rank 0 heard 2'],
      );
      assert.deepEqual(
        lines
          .filter((l) => l.rank !== 0)
          .map((l) => `${l.rank}: ${l.line}`)
          .sort(),
        ['1: rank 1 connected', '2: rank 2 connected'],
      );
    });

    test('a failing rank stops the other containers and fails the session with its code', async () => {
      const s = await h.manager.submit({ command: meet([1]), image: NODE_IMAGE, replicas: 3 });
      const done = await h.waitFor(s.id, undefined, 90_000);
      assert.equal(done.state, 'failed', JSON.stringify((await h.manager.logs(s.id)).lines));
      assert.equal(done.exitCode, 3);
      assert.match(done.reason ?? '', /^rank 1 exited with code 3/);
      const ours = (labels: Record<string, string> | undefined) =>
        Object.values(labels ?? {}).some((v) => v.startsWith(s.id));
      const left = await engine!.docker.listContainers({ filters: { label: ['swarmlab.session'] } });
      assert.deepEqual(
        left.filter((c) => ours(c.Labels)),
        [],
        'no container of the gang left running',
      );
      const services = await engine!.docker.listServices({ filters: { label: ['swarmlab.session'] } });
      assert.deepEqual(
        services.filter((x) => ours(x.Spec?.Labels)),
        [],
        'no service of the gang left',
      );
    });
  });
}
