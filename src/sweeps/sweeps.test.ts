// Sweeps through the real API on a real manager, trials as real sessions (a synthetic objective, see testing/),
// on LMDB and on Redis. The cases that keep a sweep in the store (creation, the state doc as trials move, the
// listing, stop, promotion) run on both; trial planning and ASHA's decisions are the same code on any store, so
// they run on LMDB only. resume.test.ts kills the manager on both.
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import type { SearchSpace, SweepSpec, SweepView } from '../api/sweeps.js';
import type { LogPage, SessionRecord } from '../sessions/index.js';
import { type TestManager, testManager } from '../testing/manager.js';
import { redisKeys } from '../testing/redis.js';
import { prng } from '../util/prng.js';
import { sweepKey } from './state.js';
import { objective, objectiveCommand, SDK } from './testing/objective.js';

const nodes = {
  nodes: [{ name: 'box', pool: 'training', capacity: { cpus: 16, memoryMb: 64_000, gpus: [] } }],
};
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const backend of ['lmdb', 'redis'] as const) {
  describe(`sweeps through the API (${backend})`, { timeout: 240_000 }, () => {
    let t: TestManager;
    /** The skip reason of a store-independent case on Redis. */
    const lmdbOnly = backend === 'redis' && 'store-independent: run on LMDB only';

    before(async () => {
      assert.ok(existsSync(SDK), `the trials need the built SDK at ${SDK}: run npm run build`);
      t = await testManager({ nodes, localNode: false, stopGrace: '5s', redis: backend === 'redis' });
    });
    after(() => t?.close());

    const create = (spec: Omit<SweepSpec, 'session'> & { session: unknown }) =>
      t.client.json<SweepView>('POST', '/api/v1/sweeps', { body: spec });
    const get = (id: string) => t.client.json<SweepView>('GET', `/api/v1/sweeps/${id}`);

    async function ended(id: string): Promise<SweepView> {
      const end = Date.now() + 180_000;
      for (;;) {
        const s = await get(id);
        if (s.state !== 'running') return s;
        if (Date.now() > end) throw new Error(`sweep ${id} still running: ${JSON.stringify(s.trials)}`);
        await sleep(100);
      }
    }

    it('grid: every point once, in order, within the parallelism bound; the best is the known maximum', async () => {
      const sweep = await create({
        name: 'grid',
        algorithm: 'grid',
        space: { a: { kind: 'choice', values: [1, 2] }, b: { kind: 'int', min: 0, max: 4, step: 2 } },
        metric: 'score',
        mode: 'max',
        parallelism: 2,
        session: { command: objectiveCommand(2, 20), tags: ['grid-test'] },
      });
      assert.equal(sweep.trials.filter((x) => x.state !== 'pending').length, 2, 'two submitted at once');
      const done = await ended(sweep.id);
      assert.equal(done.state, 'completed');
      const expected = [1, 2].flatMap((a) => [0, 2, 4].map((b) => ({ a, b })));
      assert.deepEqual(
        done.trials.map((x) => x.params),
        expected,
      );
      assert.deepEqual(
        done.trials.map((x) => [x.state, x.value, x.resource]),
        expected.map((p) => ['succeeded', objective(p, 2), 2]),
      );
      assert.equal(done.totalResource, 12);
      assert.deepEqual(done.best && [done.best.index, done.best.value], [5, 26]);
      // Each trial is a session with its params and the sweep's tag; never more than 2 ran at once.
      const records = await Promise.all(
        done.trials.map((x) => t.client.json<SessionRecord>('GET', `/api/v1/sessions/${x.sessionId}`)),
      );
      assert.deepEqual(
        records.map((r) => r.params),
        expected,
      );
      assert.ok(records.every((r) => r.tags?.includes(`sweep-${sweep.id}`) && r.tags.includes('grid-test')));
      const spans = records.map((r) => [r.startedAt!, r.endedAt!] as const);
      for (const [start] of spans) {
        const overlapping = spans.filter(([s, e]) => s <= start && start < e).length;
        assert.ok(overlapping <= 2, `at most 2 trials at once, saw ${overlapping}`);
      }
      const listed = await t.client.json<{ sweeps: { id: string; finished: number }[] }>(
        'GET',
        '/api/v1/sweeps',
      );
      assert.deepEqual(
        listed.sweeps.find((s) => s.id === sweep.id),
        { ...listed.sweeps.find((s) => s.id === sweep.id), finished: 6 },
      );
      if (t.prefix) {
        const doc = `doc:${sweepKey(sweep.id)}`;
        assert.deepEqual(await redisKeys(t.prefix, doc), [t.prefix + doc], 'the sweep is kept in Redis');
      }
    });

    it('random: the seed fixes the trials (drawn in the space order), another seed gives others', {
      skip: lmdbOnly,
    }, async () => {
      const space: SearchSpace = {
        lr: { kind: 'loguniform', min: 1e-4, max: 1e-1 },
        width: { kind: 'int', min: 16, max: 64, step: 16 },
        act: { kind: 'choice', values: ['relu', 'tanh'] },
      };
      const spec = { algorithm: 'random', space, metric: 'score', mode: 'min', trials: 4, seed: 7 } as const;
      const session = { command: objectiveCommand(1, 0) };
      const [a, b, c] = await Promise.all([
        create({ ...spec, session }),
        create({ ...spec, session }),
        create({ ...spec, seed: 8, session }),
      ]);
      const r = prng(7);
      const expected = Array.from({ length: 4 }, () => ({
        lr: Number(Math.exp(Math.log(1e-4) + r() * (Math.log(1e-1) - Math.log(1e-4))).toPrecision(12)),
        width: 16 + 16 * Math.floor(r() * 4),
        act: ['relu', 'tanh'][Math.floor(r() * 2)],
      }));
      assert.deepEqual(
        a!.trials.map((x) => x.params),
        expected,
      );
      assert.deepEqual(
        b!.trials.map((x) => x.params),
        expected,
      );
      assert.notDeepEqual(
        c!.trials.map((x) => x.params),
        expected,
      );
      // ASHA on a shuffled grid: every point once, in an order the seed fixes.
      const shuffled = await create({
        algorithm: 'asha',
        space: { q: { kind: 'int', min: 1, max: 6 } },
        asha: { maxResource: 3, sample: 'shuffled-grid' },
        seed: 3,
        metric: 'score',
        mode: 'max',
        session: { command: objectiveCommand(1000, 100) },
      });
      const order = shuffled.trials.map((x) => x.params.q);
      assert.deepEqual([...order].sort(), [1, 2, 3, 4, 5, 6]);
      assert.notDeepEqual(order, [1, 2, 3, 4, 5, 6]);
      const again = await create({ ...shuffled.spec, session: { command: objectiveCommand(1000, 100) } });
      assert.deepEqual(
        again.trials.map((x) => x.params.q),
        order,
      );
      await Promise.all(
        [shuffled, again].map((s) => t.client.json('POST', `/api/v1/sweeps/${s.id}/stop`, { body: {} })),
      );
      const done = await ended(a!.id);
      assert.deepEqual(
        done.trials.map((x) => x.state),
        ['succeeded', 'succeeded', 'succeeded', 'succeeded'],
      );
      await Promise.all([ended(b!.id), ended(c!.id)]);
    });

    it('ASHA: promotes and stops the right trials at the right rungs, through the SDK stop path', {
      skip: lmdbOnly,
    }, async () => {
      // score = q·epoch; eta 2, resources 1..4 → rungs at 1 and 2 epochs. One trial at a time, so the order is fixed:
      // q=5 goes on (first), 3 < median[5] stops at rung 0, 8 > median[5,3] goes on and passes rung 1 (16 > 10),
      // 1 < median[5,3,8] stops, 6 > median[5,3,8,1]=4 goes on but 12 < median[10,16]=13 stops at rung 1,
      // 2 < median[5,3,8,1,6]=5 stops.
      const sweep = await create({
        algorithm: 'asha',
        space: { q: { kind: 'choice', values: [5, 3, 8, 1, 6, 2] } },
        asha: { minResource: 1, maxResource: 4, eta: 2, sample: 'grid' },
        metric: 'score',
        mode: 'max',
        parallelism: 1,
        session: { command: objectiveCommand(4, 400) },
      });
      assert.deepEqual(sweep.rungs, [1, 2]);
      const done = await ended(sweep.id);
      assert.deepEqual(
        done.trials.map((x) => [x.params.q, x.state, x.rung, x.stoppedAtRung]),
        [
          [5, 'succeeded', 1, undefined],
          [3, 'stopped', -1, 0],
          [8, 'succeeded', 1, undefined],
          [1, 'stopped', -1, 0],
          [6, 'stopped', 0, 1],
          [2, 'stopped', -1, 0],
        ],
      );
      assert.deepEqual(done.best && [done.best.index, done.best.value], [2, 32]);
      assert.ok(done.totalResource < 6 * 4, `ASHA used ${done.totalResource} of 24 trial-epochs`);
      const stopped = done.trials[4]!;
      const record = await t.client.json<SessionRecord>('GET', `/api/v1/sessions/${stopped.sessionId}`);
      assert.match(
        record.reason ?? '',
        /ASHA\): score = 12 at rung 1 \(2 epochs\) is not in the top 1\/2 \(cutoff 13\)/,
      );
      const logs = await t.client.json<LogPage>('GET', `/api/v1/sessions/${stopped.sessionId}/logs`);
      assert.ok(logs.lines.some((l) => l.line.startsWith('stop asked through the SDK: sweep')));
    });

    it("promotes the best trial's generation through the sweep's accept rule, once the sweep ended", async () => {
      const sweep = await create({
        algorithm: 'grid',
        space: { q: { kind: 'choice', values: [1, 3, 2] } },
        metric: 'score',
        mode: 'max',
        parallelism: 3,
        accept: [{ name: 'best-trial', metric: 'score', stage: 'production', atLeast: 2 }],
        session: { command: objectiveCommand(2, 20, 'sweep-model') },
      });
      const done = await ended(sweep.id);
      const best = done.trials[1]!;
      assert.deepEqual(done.best && [done.best.index, done.best.value], [1, 6]);
      assert.ok(best.generation, 'the best trial saved a generation');
      const prod = await t.client.json<{ generation: number; metrics: Record<string, number> }>(
        'GET',
        '/api/v1/models/sweep-model/generations/production',
      );
      assert.deepEqual([prod.generation, prod.metrics.score], [best.generation.generation, 6]);
      assert.deepEqual(done.promoted, [
        {
          rule: 'best-trial',
          model: 'sweep-model',
          generation: best.generation.generation,
          stage: 'production',
        },
      ]);
      const fired = await t.client.json<{ events: { sessionId: string; data: { rule: string } }[] }>(
        'GET',
        '/api/v1/events',
        { query: { type: 'rule.fired', session: best.sessionId } },
      );
      assert.deepEqual(
        fired.events.map((e) => e.data.rule),
        ['best-trial'],
      );
    });

    it('stops on request and names a bad field', async () => {
      const sweep = await create({
        algorithm: 'grid',
        space: { q: { kind: 'choice', values: [1, 2, 3] } },
        metric: 'score',
        mode: 'max',
        session: { command: objectiveCommand(100, 200) },
      });
      const stopped = await t.client.json<SweepView>('POST', `/api/v1/sweeps/${sweep.id}/stop`, { body: {} });
      assert.equal(stopped.state, 'stopped');
      const end = Date.now() + 60_000;
      let view = await get(sweep.id);
      while (view.trials[0]!.state !== 'stopped' && Date.now() < end) {
        await sleep(100);
        view = await get(sweep.id);
      }
      assert.deepEqual(
        view.trials.map((x) => x.state),
        ['stopped', 'pending', 'pending'],
      );
      /** The field a refused sweep names. */
      const badField = async (body: object) => {
        const r = await fetch(`${t.url}/api/v1/sweeps`, {
          method: 'POST',
          headers: { ...t.auth, 'content-type': 'application/json' },
          body: JSON.stringify({ metric: 'm', mode: 'max', ...body }),
        });
        assert.equal(r.status, 400);
        return ((await r.json()) as { error: { details: { field: string } } }).error.details.field;
      };
      const space = { lr: { kind: 'uniform', min: 0, max: 1 } };
      const grid = { algorithm: 'grid', space, session: { command: ['true'] } };
      assert.equal(await badField(grid), 'space.lr.points');
      assert.equal(await badField({ ...grid, algorithm: 'random' }), 'trials');
      assert.equal(
        await badField({ ...grid, algorithm: 'random', trials: 2, session: { command: [] } }),
        'session.command',
      );
      assert.equal(await badField({ ...grid, algorithm: 'asha' }), 'asha');
    });
  });
}
