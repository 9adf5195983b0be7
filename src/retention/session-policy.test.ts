/** The session policy through the real API, on LMDB and on Redis: older than D goes, the best K per project stay. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RetentionRun, RetentionStatus } from '../api/index.js';
import type { SwarmEvent } from '../events/index.js';
import { followEvents } from '../sdk/index.js';
import type { SessionRecord } from '../sessions/index.js';
import { TEST_TOKEN, type TestManager, testManager } from '../testing/manager.js';
import { waitForSession } from '../testing/sessions.js';

/** Sessions ended longer ago than this are due; long enough that a fresh one is never due by mistake. */
const OLDER_THAN_MS = 6000;

for (const redis of [false, true]) {
  describe(`session retention policy through the API (${redis ? 'redis' : 'lmdb'})`, {
    timeout: 120_000,
  }, () => {
    let t: TestManager;
    before(async () => {
      t = await testManager({
        redis,
        retainSessions: `${OLDER_THAN_MS}ms`,
        keepBest: '2:metric.loss.min',
        retentionInterval: '1h',
      });
    });
    after(() => t.close());

    /** A session that prints a line and reports one loss value, run to its end. */
    async function finished(project: string | undefined, loss: number): Promise<SessionRecord> {
      const s = await t.client.json<SessionRecord>('POST', '/api/v1/sessions', {
        body: { command: ['sh', '-c', `echo loss ${loss}`], ...(project ? { project } : {}) },
      });
      const reports = `/api/v1/sessions/${s.id}/reports/retention-${s.id.slice(-12)}`;
      await t.client.json('GET', reports);
      const points = { names: ['loss'], index: [0], value: [loss], step: [1], time: [Date.now()] };
      await t.client.json('POST', reports, { body: { q: 1, points } });
      return waitForSession(t.client, s.id, (r) => r.state === 'succeeded');
    }

    it('deletes ended sessions older than D with their data, keeping the best K of each project', async () => {
      const start = await t.manager.services.events.lastCursor();
      const [worst, best, second, worse, alone] = [
        await finished('a', 0.9),
        await finished('a', 0.1),
        await finished('a', 0.3),
        await finished('a', 0.5),
        await finished(undefined, 0.7),
      ];
      const running = await t.client.json<SessionRecord>('POST', '/api/v1/sessions', {
        body: { command: ['sleep', '60'], project: 'a' },
      });
      await waitForSession(t.client, running.id, (r) => r.state === 'running');
      const lastEnd = Math.max(...[worst, best, second, worse, alone].map((s) => s.endedAt!));
      await new Promise((r) => setTimeout(r, lastEnd + OLDER_THAN_MS + 200 - Date.now()));
      const fresh = await finished('a', 0.95);

      const run = await t.client.json<RetentionRun>('POST', '/api/v1/retention/run');
      assert.deepEqual([...run.deletedSessions].sort(), [worst.id, worse.id].sort());
      for (const gone of [worst, worse]) {
        await assert.rejects(t.client.json('GET', `/api/v1/sessions/${gone.id}`), { code: 'NOT_FOUND' });
        await assert.rejects(t.client.json('GET', `/api/v1/sessions/${gone.id}/logs`), { code: 'NOT_FOUND' });
      }
      // The best two of project a, the best of the no-project group, a running one and a fresh one stay.
      for (const kept of [best, second, alone, running, fresh]) {
        const s = await t.client.json<SessionRecord>('GET', `/api/v1/sessions/${kept.id}`);
        assert.equal(s.id, kept.id);
      }
      // A reader resuming from before them gets every surviving event and none of the deleted sessions'.
      const got: SwarmEvent[] = [];
      const follower = await followEvents({ url: t.url, token: TEST_TOKEN, after: start }, (e) => {
        got.push(e);
      });
      const end = await t.manager.services.events.lastCursor();
      const deadline = Date.now() + 20_000;
      while (got.at(-1)?.cursor !== end && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      await follower.close();
      assert.equal(got.at(-1)?.cursor, end);
      const deleted = new Set([worst.id, worse.id]);
      assert.ok(!got.some((e) => e.sessionId !== undefined && deleted.has(e.sessionId)));
      assert.ok(got.some((e) => e.sessionId === best.id));
      const status = await t.client.json<RetentionStatus>('GET', '/api/v1/retention');
      assert.equal(status.totals.sessions, 2);
      assert.deepEqual(status.policy.sessions, {
        olderThanMs: OLDER_THAN_MS,
        keepBest: { count: 2, order: 'metric.loss.min' },
      });
      await t.client.json('POST', `/api/v1/sessions/${running.id}/stop`, { body: {} });
    });
  });
}
