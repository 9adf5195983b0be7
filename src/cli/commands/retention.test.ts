// `swarmlab retention` and `swarmlab retention --run` against a real manager.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { swarmlab } from '../../testing/cli.js';
import { type TestManager, testManager } from '../../testing/manager.js';

describe('swarmlab retention', () => {
  let t: TestManager;
  before(async () => {
    t = await testManager({ admission: false, maxEvents: 5, retainLogs: '7d', retentionInterval: '1h' });
  });
  after(() => t?.close());

  it('prints the policy, applies it with --run, and counts what went', async () => {
    const shown = await swarmlab(t.manager, ['retention']);
    assert.equal(shown.code, 0, shown.stderr);
    assert.match(shown.stdout, /events\s+beyond the newest 5\n/);
    assert.match(shown.stdout, /session logs\s+older than 7d\n/);
    assert.match(shown.stdout, /sessions\s+kept\n/);
    const { events } = t.manager.services;
    await events.append(
      Array.from({ length: 20 }, () => ({ type: 'node.joined' as const, data: { node: 'n' } })),
    );
    const removed = (await events.lastCursor()) - 5;
    const ran = await swarmlab(t.manager, ['retention', '--run']);
    assert.equal(ran.code, 0, ran.stderr);
    assert.match(
      ran.stdout,
      new RegExp(`^Removed ${removed} events, 0 log lines, 0 metric batches, 0 sessions`),
    );
    const json = await swarmlab(t.manager, ['retention', '--json']);
    assert.equal(JSON.parse(json.stdout).totals.events, removed);
  });
});
