/** The retention policy through the real API, on LMDB and on Redis: archive, session logs and series. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { RetentionRun, RetentionStatus } from '../api/index.js';
import type { NewEvent, SwarmEvent } from '../events/index.js';
import { followEvents } from '../sdk/index.js';
import type { LogPage, SessionPage, SessionRecord } from '../sessions/index.js';
import type { SeriesResult } from '../telemetry/index.js';
import { TEST_TOKEN, type TestManager, testManager } from '../testing/manager.js';
import { waitForSession } from '../testing/sessions.js';

const log = (line: string): NewEvent => ({
  type: 'session.log',
  sessionId: 'resumer',
  data: { stream: 'stdout', lines: [line] },
});

async function until(cond: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

for (const redis of [false, true]) {
  describe(`retention policy through the API (${redis ? 'redis' : 'lmdb'})`, { timeout: 120_000 }, () => {
    let t: TestManager;
    const run = () => t.client.json<RetentionRun>('POST', '/api/v1/retention/run');
    before(async () => {
      t = await testManager({
        redis,
        maxEvents: 50,
        maxLogLines: 10,
        maxMetricBatches: 3,
        // Passes only on request here, so each assertion sees exactly one run's effect.
        retentionInterval: '1h',
      });
    });
    after(() => t.close());

    it('keeps the newest events; a WS reader resuming inside the trimmed range gets the next survivor', async () => {
      await t.manager.services.events.append(Array.from({ length: 100 }, (_, i) => log(String(i))));
      const last = await t.manager.services.events.lastCursor();
      const removed = (await run()).removed.events;
      assert.ok(removed >= 50, `removed ${removed}`);
      const page = await t.client.json<{ events: SwarmEvent[] }>('GET', '/api/v1/events?after=0&limit=5000');
      assert.deepEqual(
        page.events.map((e) => e.cursor),
        Array.from({ length: 50 }, (_, i) => last - 49 + i),
      );
      // A follower that had seen up to a trimmed cursor resumes: the first survivor, then live ones, no error.
      const got: SwarmEvent[] = [];
      const follower = await followEvents(
        { url: t.url, token: TEST_TOKEN, after: last - 80, session: 'resumer' },
        (e) => {
          got.push(e);
        },
      );
      await t.manager.services.events.append(log('live'));
      await until(() => got.length === 51, '50 replayed events and a live one');
      await follower.close();
      assert.equal(got[0]!.cursor, last - 49);
      assert.equal((got[0]!.data as { lines: string[] }).lines[0], '50');
      assert.equal(got.at(-1)!.cursor, last + 1);
      const status = await t.client.json<RetentionStatus>('GET', '/api/v1/retention');
      assert.equal(status.policy.events.maxEntries, 50);
      assert.ok(status.totals.events >= removed && status.passes >= 1);
    });

    it("bounds each session's output lines and metric series, keeping its metric summary whole", async () => {
      const s = await t.client.json<SessionRecord>('POST', '/api/v1/sessions', {
        body: { command: ['sh', '-c', 'seq 1 30'], project: 'trim' },
      });
      await waitForSession(t.client, s.id, (r) => r.state === 'succeeded');
      const stream = `${s.id.replaceAll(/[^A-Za-z0-9]/g, '')}-r`.slice(0, 64);
      const reports = `/api/v1/sessions/${s.id}/reports/${stream}`;
      await t.client.json('GET', reports);
      // Five batches; the lowest loss is in the first, which the trim removes.
      for (let q = 1; q <= 5; q++) {
        const points = {
          names: ['loss'],
          index: [0],
          value: [q === 1 ? 0.01 : 1 / q],
          step: [q],
          time: [Date.now()],
        };
        await t.client.json('POST', reports, { body: { q, points } });
      }
      const removed = (await run()).removed;
      assert.ok(removed.logLines >= 20 && removed.metricBatches >= 2, JSON.stringify(removed));
      const logs = await t.client.json<LogPage>('GET', `/api/v1/sessions/${s.id}/logs`);
      assert.deepEqual(
        logs.lines.map((l) => l.line),
        Array.from({ length: 10 }, (_, i) => String(21 + i)),
      );
      const series = await t.client.json<SeriesResult>('GET', `/api/v1/sessions/${s.id}/metrics`);
      assert.deepEqual(series.series.loss!.step, [3, 4, 5]);
      const ranked = await t.client.json<SessionPage>(
        'GET',
        '/api/v1/sessions?project=trim&order=metric.loss.min',
      );
      assert.equal(ranked.sessions[0]!.metrics!.loss!.min, 0.01);
    });
  });
}

for (const redis of [false, true]) {
  it(`applies the policy on its own timer (${redis ? 'redis' : 'lmdb'})`, { timeout: 60_000 }, async () => {
    const t = await testManager({ redis, maxEvents: 20, retentionInterval: '100ms' });
    try {
      const { events } = t.manager.services;
      await events.append(Array.from({ length: 60 }, (_, i) => log(String(i))));
      const last = await events.lastCursor();
      const status = () => t.client.json<RetentionStatus>('GET', '/api/v1/retention');
      const deadline = Date.now() + 30_000;
      while ((await status()).totals.events < 40 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 50));
      }
      assert.ok((await status()).totals.events >= 40);
      assert.ok((await events.read(0, 1))[0]!.cursor >= last - 19);
    } finally {
      await t.close();
    }
  });
}
