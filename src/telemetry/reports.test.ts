import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SwarmEvent } from '../events/index.js';
import { TEST_TOKEN, type TestManager, testManager } from '../testing/manager.js';
import { LIVE_MS } from './index.js';

// biome-ignore lint/suspicious/noExplicitAny: answers are checked field by field against literal expectations
type Json = Record<string, any>;

for (const redis of [false, true]) {
  describe(`report protocol over HTTP + JSON (${redis ? 'redis' : 'lmdb'})`, () => {
    let t: TestManager;
    before(async () => {
      t = await testManager({ redis, admission: false });
    });
    after(() => t.close());

    const call = async (method: string, path: string, body?: unknown, token = TEST_TOKEN) => {
      const res = await fetch(t.manager.url + path, {
        method,
        headers: {
          authorization: `Bearer ${token}`,
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: (text ? JSON.parse(text) : undefined) as Json };
    };
    const events = async (sessionId: string, type: string) => {
      const { body } = await call('GET', `/api/v1/events?session=${sessionId}&type=${type}&limit=1000`);
      return body.events as SwarmEvent[];
    };
    const batch = (q: number) => ({
      q,
      points: {
        names: ['loss', 'lr'],
        index: [0, 1, 0],
        value: [0.5, 0.001, 'NaN'],
        step: [q * 10, q * 10, q * 10 + 1],
        time: [1000 + q, 1000 + q, 1001 + q],
      },
      items: [
        {
          k: 'epoch',
          t: 2000 + q,
          epoch: q,
          total: 9,
          metrics: { val_loss: 'Infinity', acc: 0.5 + q / 100 },
        },
        { k: 'log', t: 2001 + q, lines: [`batch ${q}`] },
      ],
    });

    it('opens a stream, stores a batch once however often it is sent, and keeps order across a restart', async () => {
      const path = '/api/v1/sessions/py1/reports/stream-aaaa1111?sdk=test';
      assert.deepEqual((await call('GET', path)).body, { acked: 0, stop: null });
      assert.deepEqual((await call('POST', path, batch(1))).body, { acked: 1, duplicate: false, stop: null });
      assert.deepEqual((await call('POST', path, batch(1))).body, { acked: 1, duplicate: true, stop: null });
      await t.restart();
      assert.deepEqual((await call('GET', path)).body, { acked: 1, stop: null });
      assert.deepEqual((await call('POST', path, batch(1))).body, { acked: 1, duplicate: true, stop: null });
      assert.equal((await call('POST', path, batch(2))).body.acked, 2);

      const epochs = await events('py1', 'session.epoch');
      assert.deepEqual(
        epochs.map((e) => (e.data as Json).epoch),
        [1, 2],
      );
      const first = epochs[0]!.data as { metrics: Record<string, number>; total: number };
      assert.equal(first.total, 9);
      assert.equal(first.metrics.acc, 0.51);
      const metric = await events('py1', 'session.metric');
      assert.equal(metric.length, 2);
      const points = (metric[0]!.data as { points: unknown[] }).points;
      assert.equal(points.length, 3);
      assert.deepEqual(points[1], ['lr', 0.001, 10, 1001]);
      const logs = await events('py1', 'session.log');
      assert.deepEqual(
        logs.map((e) => (e.data as { lines: string[] }).lines[0]),
        ['batch 1', 'batch 2'],
      );
      const connected = await events('py1', 'session.connected');
      assert.deepEqual(
        connected.map((e) => {
          const d = e.data as Json;
          return [d.transport, d.resumed, d.sdk];
        }),
        [
          ['http', false, 'test'],
          ['http', true, 'test'],
        ],
      );
      const { body } = await call('GET', '/api/v1/sessions/py1/metrics?maxPoints=0');
      assert.deepEqual(body.series.loss.step, [10, 11, 20, 21]);
      assert.equal(body.series.val_loss.value.length, 2);
      const latest = await call('GET', '/api/v1/sessions/py1/metrics?maxPoints=0&latest=true');
      // The newest stored series batch is batch 2's epoch metrics (written after its points).
      assert.deepEqual(Object.keys(latest.body.series), ['acc', 'val_loss']);
      assert.deepEqual(latest.body.series.acc.step, [2]);
    });

    it('refuses a gap, a bad body and a missing token, storing nothing', async () => {
      const path = '/api/v1/sessions/py2/reports/stream-bbbb2222';
      const gap = await call('POST', path, batch(2));
      assert.equal(gap.status, 409);
      assert.equal(gap.body.error.code, 'CONFLICT');
      assert.deepEqual(gap.body.error.details, { field: 'q', acked: 0, sessionId: 'py2' });

      const bad = batch(1);
      bad.points.value[2] = 'nan';
      const refused = await call('POST', path, bad);
      assert.equal(refused.status, 400);
      assert.equal(refused.body.error.details.field, 'points.value[2]');
      const shortCol = batch(1);
      shortCol.points.step.pop();
      assert.equal((await call('POST', path, shortCol)).body.error.details.field, 'points.step');
      const badItem = batch(1) as Json;
      badItem.items[0].epoch = 'one';
      assert.equal((await call('POST', path, badItem)).body.error.details.field, 'items[0].epoch');
      assert.equal((await call('POST', path, '{"q":1,')).status, 400);
      assert.equal((await call('POST', path, { q: 0 })).body.error.details.field, 'q');

      const anonymous = await call('POST', path, batch(1), 'wrong');
      assert.equal(anonymous.status, 401);
      assert.equal((await call('GET', '/api/v1/sessions/py2/reports/short')).status, 400);
      for (const type of ['session.epoch', 'session.metric', 'session.log'])
        assert.deepEqual(await events('py2', type), [], type);
      assert.deepEqual((await call('GET', path)).body, { acked: 0, stop: null });
    });

    it('counts a polling stream as connected, carries stop requests, and closes', async () => {
      const { channels } = t.manager.services;
      const path = '/api/v1/sessions/py3/reports/stream-cccc3333';
      assert.equal(channels.isConnected('py3'), false);
      assert.equal(channels.requestStop('py3', 'not yet'), false, 'nobody listens yet');
      assert.deepEqual((await call('GET', path)).body, { acked: 0, stop: 'not yet' }, 'kept for later');
      assert.equal(channels.isConnected('py3'), true);
      assert.equal(channels.http.isLive('py3', Date.now() + LIVE_MS + 1), false, 'silent streams go stale');
      assert.equal(channels.requestStop('py3', 'rule early-stop'), true);
      assert.equal((await call('POST', path, batch(1))).body.stop, 'rule early-stop');
      assert.equal((await call('DELETE', path)).status, 204);
      assert.equal(channels.isConnected('py3'), false);
      const gone = await events('py3', 'session.disconnected');
      assert.deepEqual(gone.at(-1)!.data, { stream: 'stream-cccc3333', code: 1000, reason: 'closed' });
      channels.forget('py3');
      assert.equal((await call('GET', path)).body.stop, null);
    });
  });
}

describe('report protocol admission', () => {
  it('answers 404 for a session that does not exist', async () => {
    const t = await testManager();
    try {
      const res = await fetch(`${t.manager.url}/api/v1/sessions/nope/reports/stream-dddd4444`, {
        headers: { authorization: `Bearer ${TEST_TOKEN}` },
      });
      assert.equal(res.status, 404);
      assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'NOT_FOUND');
    } finally {
      await t.close();
    }
  });
});
