// Session queries through the real API on Redis: filters, sorting by metric summaries (NaN last), paging, compare.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { SessionListItem, SessionSpec } from '../api/index.js';
import { InvalidError, NotFoundError } from '../errors/index.js';
import { SessionsClient, session } from '../sdk/index.js';
import { type TestManager, testManager } from '../testing/manager.js';
import { waitForSession } from '../testing/sessions.js';

const ended = (s: { state: string }) =>
  ['succeeded', 'failed', 'stopped', 'rejected', 'lost'].includes(s.state);

describe('session queries and comparison (Redis)', () => {
  let t: TestManager;
  let sessions: SessionsClient;
  /** Session ids by letter, created a, b, c, d in that order. */
  const id: Record<string, string> = {};

  /** Reports `points` ([value, step]) for a session through the SDK's session channel, as a job would. */
  const report = async (sessionId: string, name: string, points: Array<[number, number]>) => {
    const s = await session({ url: t.url, token: t.token, sessionId, env: {} });
    for (const [value, step] of points) s.metric(name, value, step);
    await s.close();
  };
  const ids = (page: { sessions: SessionListItem[] }) =>
    page.sessions.map((s) => Object.keys(id).find((k) => id[k] === s.id));

  before(async () => {
    t = await testManager({ redis: true });
    sessions = new SessionsClient(t.client);
    const specs: Record<string, Partial<SessionSpec>> = {
      a: { name: 'alpha', project: 'fashion', tags: ['baseline', 'v1'], params: { lr: 0.001, aug: true } },
      b: { name: 'bravo', project: 'fashion', tags: ['v1'], params: { lr: 0.01, aug: false } },
      c: { name: 'charlie', project: 'fashion', tags: ['baseline'], params: { lr: 0.001, bs: 32 } },
      d: { name: 'delta', project: 'mnist', params: { lr: 'auto' } },
    };
    for (const [k, spec] of Object.entries(specs)) {
      const s = await sessions.submit({ command: [process.execPath, '-e', '0'], ...spec });
      id[k] = s.id;
      await waitForSession(t.client, s.id, ended);
    }
    await report(id.a!, 'val_acc', [
      [0.5, 1],
      [0.9, 2],
      [0.7, 3],
    ]);
    await report(id.b!, 'val_acc', [
      [0.6, 1],
      [0.8, 2],
    ]);
    // C's last value is NaN: it has no sortable last value, but its min/max still count.
    await report(id.c!, 'val_acc', [
      [0.95, 1],
      [Number.NaN, 2],
    ]);
  });
  after(() => t?.close());

  it('filters by project, every tag given, and params compared as their type', async () => {
    assert.deepEqual(ids(await sessions.list({ project: 'fashion' })), ['c', 'b', 'a']);
    assert.deepEqual(ids(await sessions.list({ tags: ['baseline'] })), ['c', 'a']);
    assert.deepEqual(ids(await sessions.list({ tags: ['baseline', 'v1'] })), ['a']);
    assert.deepEqual(ids(await sessions.list({ params: { lr: '0.0010' } })), ['c', 'a']);
    assert.deepEqual(ids(await sessions.list({ params: { lr: 'auto' } })), ['d']);
    assert.deepEqual(ids(await sessions.list({ params: { aug: 'false' } })), ['b']);
    assert.deepEqual(
      ids(await sessions.list({ project: 'fashion', params: { bs: '32' }, state: 'succeeded' })),
      ['c'],
    );
    assert.deepEqual(ids(await sessions.list({ project: 'fashion', state: 'failed' })), []);
    // No filter, default order: the indexed listing, as before.
    assert.deepEqual(ids(await sessions.list()), ['d', 'c', 'b', 'a']);
  });

  it('sorts by a metric’s last, min or max value, NaN and missing last either way, with the summaries', async () => {
    const desc = await sessions.list({ order: '-metric.val_acc' });
    assert.deepEqual(ids(desc), ['b', 'a', 'd', 'c']);
    assert.deepEqual(desc.sessions[1]!.metrics, { val_acc: { last: 0.7, min: 0.5, max: 0.9, lastStep: 3 } });
    assert.deepEqual(desc.sessions[3]!.metrics, {
      val_acc: { last: null, min: 0.95, max: 0.95, lastStep: 2 },
    });
    assert.deepEqual(desc.sessions[2]!.metrics, {});
    assert.deepEqual(ids(await sessions.list({ order: 'metric.val_acc' })), ['a', 'b', 'd', 'c']);
    assert.deepEqual(ids(await sessions.list({ order: '-metric.val_acc.max' })), ['c', 'a', 'b', 'd']);
    assert.deepEqual(ids(await sessions.list({ order: 'metric.val_acc.min' })), ['a', 'b', 'c', 'd']);
    // New points fold into the stored summary: A's last becomes the best.
    await report(id.a!, 'val_acc', [[0.99, 4]]);
    const again = await sessions.list({ order: '-metric.val_acc', project: 'fashion' });
    assert.deepEqual(ids(again), ['a', 'b', 'c']);
    assert.deepEqual(again.sessions[0]!.metrics?.val_acc, { last: 0.99, min: 0.5, max: 0.99, lastStep: 4 });
  });

  it('sorts by name and param, and pages with the total', async () => {
    assert.deepEqual(ids(await sessions.list({ order: 'name' })), ['a', 'b', 'c', 'd']);
    const page = await sessions.list({ order: '-name', limit: 2, offset: 1 });
    assert.deepEqual([ids(page), page.total, page.limit, page.offset], [['c', 'b'], 4, 2, 1]);
    // Numbers before strings; ties newest first.
    assert.deepEqual(ids(await sessions.list({ order: 'param.lr' })), ['c', 'a', 'b', 'd']);
    assert.deepEqual(ids(await sessions.list({ order: '-param.bs' })), ['c', 'd', 'b', 'a']);
    assert.deepEqual(ids(await sessions.list({ order: 'createdAt', limit: 3 })), ['a', 'b', 'c']);
    await assert.rejects(
      sessions.list({ order: 'loss' }),
      (err: InvalidError) => err instanceof InvalidError && err.details.field === 'order',
    );
  });

  it('compares sessions: params that differ, summaries and downsampled series in one call', async () => {
    const points = Array.from({ length: 1000 }, (_, k): [number, number] => [Math.sin(k / 10), k]);
    await report(id.b!, 'loss', points);
    const c = await sessions.compare([id.a!, id.b!, id.d!], { maxPoints: 20 });
    assert.deepEqual(c.params, ['aug', 'lr']);
    assert.deepEqual(
      c.sessions.map((s) => [s.name, s.project, s.tags, s.params]),
      [
        ['alpha', 'fashion', ['baseline', 'v1'], { lr: 0.001, aug: true }],
        ['bravo', 'fashion', ['v1'], { lr: 0.01, aug: false }],
        ['delta', 'mnist', [], { lr: 'auto' }],
      ],
    );
    const b = c.sessions[1]!;
    assert.ok(b.series.loss!.step.length <= 20 && b.series.loss!.step.length > 2);
    assert.equal(b.series.loss!.value.length, b.series.loss!.step.length);
    assert.deepEqual(b.series.val_acc, { step: [1, 2], value: [0.6, 0.8] });
    assert.equal(b.metrics.loss!.lastStep, 999);
    assert.deepEqual(c.sessions[2]!.series, {});
    const only = await sessions.compare([id.a!, id.c!], { metrics: ['val_acc'] });
    assert.deepEqual(only.params, ['aug', 'bs']);
    assert.deepEqual(Object.keys(only.sessions[0]!.series), ['val_acc']);
    await assert.rejects(
      sessions.compare([id.a!, 'nope']),
      (err: NotFoundError) => err instanceof NotFoundError && err.details.sessionId === 'nope',
    );
    await assert.rejects(
      sessions.compare(Array.from({ length: 101 }, (_, i) => `s${i}`)),
      (err: InvalidError) => err instanceof InvalidError && err.details.field === 'ids',
    );
  });
});
