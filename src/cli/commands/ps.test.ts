// `swarmlab ps --sort/--project/--tag/--param` and `swarmlab compare` against a real manager.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { SessionsClient, session } from '../../sdk/index.js';
import { swarmlab } from '../../testing/cli.js';
import { type TestManager, testManager } from '../../testing/manager.js';
import { waitForSession } from '../../testing/sessions.js';
import { orderOf } from './ps.js';

describe('swarmlab ps and compare', () => {
  let t: TestManager;
  const ids: string[] = [];

  before(async () => {
    t = await testManager();
    const sessions = new SessionsClient(t.client);
    const runs = [
      { name: 'low', lr: 0.1, acc: 0.61, tags: ['sweep'] },
      { name: 'high', lr: 0.001, acc: 0.93, tags: ['sweep', 'best'] },
      { name: 'other', lr: 0.01, acc: 0.99, tags: ['sweep'], project: 'mnist' },
    ];
    for (const r of runs) {
      const s = await sessions.submit({
        name: r.name,
        command: [process.execPath, '-e', '0'],
        params: { lr: r.lr, arch: 'cnn' },
        tags: r.tags,
        project: r.project ?? 'fashion',
      });
      ids.push(s.id);
      await waitForSession(t.client, s.id, (x) => x.state === 'succeeded');
      const job = await session({ url: t.url, token: t.token, sessionId: s.id, env: {} });
      job.metric('val_accuracy', r.acc / 2, 1);
      job.metric('val_accuracy', r.acc, 2);
      await job.close();
    }
  });
  after(() => t?.close());

  it('reads --sort: a bare name is a metric; fields, params and metric.… pass through', () => {
    assert.equal(orderOf('-val_accuracy'), '-metric.val_accuracy');
    assert.equal(orderOf('loss.min'), 'metric.loss.min');
    assert.equal(orderOf('createdAt'), 'createdAt');
    assert.equal(orderOf('-name'), '-name');
    assert.equal(orderOf('param.lr'), 'param.lr');
    assert.equal(orderOf('-metric.acc.max'), '-metric.acc.max');
  });

  it('lists a project sorted by a metric, with project, tags and the metric as columns', async () => {
    const r = await swarmlab(t.manager, ['ps', '--project', 'fashion', '--sort', '-val_accuracy']);
    assert.equal(r.code, 0, r.stderr);
    const [head, ...rows] = r.stdout.trim().split('\n');
    assert.match(head!, /^ID\s+NAME\s+STATE\s+PROJECT\s+TAGS\s+VAL_ACCURACY\s+POOL/);
    assert.deepEqual(
      rows.map((l) => l.split(/\s+/).slice(1, 6)),
      [
        ['high', 'succeeded', 'fashion', 'sweep,best', '0.93'],
        ['low', 'succeeded', 'fashion', 'sweep', '0.61'],
      ],
    );
    const tagged = await swarmlab(t.manager, ['ps', '--tag', 'sweep', '--param', 'lr=0.01', '--json']);
    assert.deepEqual(
      JSON.parse(tagged.stdout).sessions.map((s: { name: string }) => s.name),
      ['other'],
    );
  });

  it('compares sessions, marking the params that differ', async () => {
    const r = await swarmlab(t.manager, ['compare', ids[0]!, ids[1]!]);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.match(lines.find((l) => l.includes('lr'))!, /^\* lr\s+0\.1\s+0\.001$/);
    assert.match(lines.find((l) => l.includes('arch'))!, /^ {2}arch\s+cnn\s+cnn$/);
    assert.match(
      lines.find((l) => l.startsWith('val_accuracy'))!,
      /^val_accuracy last \[min…max\]\s+0\.61 \[0\.305…0\.61\]\s+0\.93 \[0\.465…0\.93\]$/,
    );
    const missing = await swarmlab(t.manager, ['compare', ids[0]!, 'nope']);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /no session nope/);
  });
});
