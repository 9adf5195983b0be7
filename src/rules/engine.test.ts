// The rules engine on a real manager with real sessions: node scripts using the built SDK (npm run build).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { Manager } from '../app.js';
import { readRules } from '../cli/commands/run.js';
import type { ManagerConfig } from '../config/index.js';
import { InvalidError } from '../errors/index.js';
import type { SwarmEvent } from '../events/index.js';
import { ModelsClient, type SwarmlabClient } from '../sdk/index.js';
import { isTerminal, type SessionRecord } from '../sessions/index.js';
import { openStore } from '../store/index.js';
import { type TestManager, testManager } from '../testing/manager.js';
import type { RulesDoc, SessionRulesView } from './index.js';
import { CURSOR_KEY } from './state.js';

const SDK = resolve(import.meta.dirname, '../../dist/sdk/index.js');

/**
 * A training script driven by a plan: epochs (or metric points) with a pause between them, then saved
 * generations. It leaves as soon as the manager asks it to stop. "NaN" / "Infinity" strings become numbers.
 */
const SCRIPT = `
const { session } = await import(${JSON.stringify(pathToFileURL(SDK).href)});
const plan = JSON.parse(process.argv[1]);
const s = await session();
s.onStop(async () => { await s.close().catch(() => {}); process.exit(0); });
for (const [e, m] of (plan.epochs ?? []).entries()) {
  const metrics = Object.fromEntries(Object.entries(m).map(([k, v]) => [k, Number(v)]));
  if (plan.points) s.metrics(metrics, e); else s.epoch(e, metrics);
  await new Promise((r) => setTimeout(r, 70));
}
for (const g of plan.saves ?? []) {
  await s.saveGeneration({
    model: g.model, type: 'classifier/tiny', format: 'raw-float32', metrics: g.metrics,
    buffer: new Uint8Array(Float32Array.from(g.weights).buffer),
    tensors: { w: { shape: [g.weights.length], offset: 0 } },
  });
}
await s.close();
`;

interface Plan {
  epochs?: Record<string, number | string>[];
  points?: boolean;
  saves?: { model: string; weights: number[]; metrics: Record<string, number> }[];
}

const nodes = {
  nodes: [{ name: 'box', pool: 'training', capacity: { cpus: 16, memoryMb: 64_000, gpus: [] } }],
};

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const raw = (values: number[]) => new Uint8Array(Float32Array.from(values).buffer);
const W = [1, 2, 3, 4];

describe('rules engine on real sessions', { timeout: 120_000 }, () => {
  let t: TestManager;
  let dir: string;
  let config: ManagerConfig;
  let manager: Manager;
  let client: SwarmlabClient;

  before(async () => {
    assert.ok(existsSync(SDK), `the sessions need the built SDK at ${SDK}: run npm run build`);
    t = await testManager({
      logLevel: process.env.DEBUG_RULES ? 'warn' : 'silent',
      nodes,
      localNode: false,
      stopGrace: '2s',
    });
    ({ dir, config, manager, client } = t);
  });
  after(() => t?.close());

  const submit = (plan: Plan, rules: RulesDoc | undefined, name: string): Promise<SessionRecord> =>
    manager.services.sessions.submit({
      name,
      command: [process.execPath, '--input-type=module', '-e', SCRIPT, JSON.stringify(plan)],
      ...(rules ? { rules } : {}),
    });

  const eventsOf = async (id: string, type: string): Promise<SwarmEvent[]> =>
    (await manager.services.events.page({ sessionId: id, types: [type] }, { limit: 1000, scanLimit: 1e7 }))
      .events;

  /** Waits for the session to end and for the engine to have handled its exit. */
  async function ended(id: string): Promise<SessionRecord> {
    const { sessions, rules } = manager.services;
    const end = Date.now() + 60_000;
    while (!isTerminal((await sessions.get(id)).state)) {
      if (Date.now() > end) throw new Error(`session ${id} did not end`);
      await sleep(25);
    }
    const exited = (await eventsOf(id, 'session.exited'))[0]!;
    while (rules.cursor < exited.cursor) await sleep(10);
    await rules.settle();
    return sessions.get(id);
  }

  const fired = async (id: string) =>
    (await eventsOf(id, 'rule.fired')).map((e) => e.data as SwarmEvent<'rule.fired'>['data']);

  it('stops on a non-finite loss and on no improvement; near misses run to the end', async () => {
    const nan = { metric: 'loss', kind: 'nonFinite' } as const;
    const patience = {
      name: 'early-stop',
      metric: 'val_accuracy',
      kind: 'noImprovement',
      patience: 2,
      mode: 'max',
      minDelta: 0.01,
    } as const;
    const loss = (...v: (number | string)[]) => v.map((loss) => ({ loss }));
    const acc = (...v: number[]) => v.map((val_accuracy) => ({ val_accuracy }));
    const [a, b, c, d] = await Promise.all([
      submit({ epochs: loss(2, 1.5, 'NaN', 1, 1, 1, 1, 1, 1) }, { stopIf: [nan] }, 'nan'),
      submit({ epochs: loss(2, 1.5, 1e30, 1, 0.5) }, { stopIf: [nan] }, 'finite'),
      submit(
        { epochs: acc(0.5, 0.6, 0.605, 0.6, 0.7, 0.8, 0.9, 0.9, 0.9) },
        { stopIf: [patience] },
        'plateau',
      ),
      submit({ epochs: acc(0.5, 0.6, 0.605, 0.7, 0.705, 0.8) }, { stopIf: [patience] }, 'learning'),
    ]);

    const nanDone = await ended(a.id);
    assert.equal(nanDone.state, 'stopped');
    assert.match(nanDone.reason ?? '', /^rule stopIf\[0\] \(nonFinite\): loss is NaN at epoch 2/);
    assert.deepEqual(await fired(a.id), [
      {
        rule: 'stopIf[0]',
        kind: 'nonFinite',
        action: 'stop',
        observed: { metric: 'loss', value: 'NaN', epoch: 2 },
      },
    ]);
    assert.equal((await eventsOf(a.id, 'session.epoch')).length < 9, true, 'stopped before its last epoch');

    const plateau = await ended(c.id);
    assert.equal(plateau.state, 'stopped');
    assert.match(plateau.reason ?? '', /^rule early-stop \(noImprovement\): val_accuracy did not improve/);
    const [f] = await fired(c.id);
    assert.deepEqual(f, {
      rule: 'early-stop',
      kind: 'noImprovement',
      action: 'stop',
      observed: {
        metric: 'val_accuracy',
        value: 0.6,
        epoch: 3,
        best: 0.6,
        bestEpoch: 1,
        epochsWithoutImprovement: 2,
        patience: 2,
        minDelta: 0.01,
      },
    });
    const view = await client.json<SessionRulesView>('GET', `/api/v1/sessions/${c.id}/rules`);
    assert.equal(view.rules?.stopIf?.[0]?.kind, 'noImprovement');
    assert.deepEqual(view.state?.stopped, { rule: 'early-stop', action: 'stop' });
    assert.equal(view.state?.firings.length, 1);

    for (const near of [b, d]) {
      assert.equal((await ended(near.id)).state, 'succeeded', near.name);
      assert.deepEqual(await fired(near.id), [], near.name);
    }
  });

  it('rejects past a threshold (metric points) and outside the interval; near misses succeed', async () => {
    const high = {
      name: 'diverged',
      metric: 'val_loss',
      kind: 'threshold',
      above: 2,
      fromEpoch: 2,
      action: 'reject',
    } as const;
    const rate = {
      metric: 'accuracy',
      kind: 'interval',
      min: 0.5,
      max: 1,
      fromEpoch: 1,
      action: 'reject',
    } as const;
    const vl = (...v: number[]) => v.map((val_loss) => ({ val_loss }));
    const ac = (...v: number[]) => v.map((accuracy) => ({ accuracy }));
    const [a, b, c, d] = await Promise.all([
      submit({ points: true, epochs: vl(5, 5, 1, 3, 1, 1, 1, 1) }, { stopIf: [high] }, 'diverges'),
      submit({ points: true, epochs: vl(5, 5, 1, 2) }, { stopIf: [high] }, 'at-bound'),
      submit({ epochs: ac(0.1, 0.6, 0.4, 0.7, 0.7, 0.7, 0.7) }, { stopIf: [rate] }, 'collapses'),
      submit({ epochs: ac(0.1, 0.5, 0.7) }, { stopIf: [rate] }, 'in-interval'),
    ]);
    const diverged = await ended(a.id);
    assert.equal(diverged.state, 'rejected');
    assert.match(diverged.reason ?? '', /^rule diverged \(threshold\): val_loss = 3 at epoch 3 is above 2/);
    assert.deepEqual(await fired(a.id), [
      {
        rule: 'diverged',
        kind: 'threshold',
        action: 'reject',
        observed: { metric: 'val_loss', value: 3, epoch: 3, above: 2 },
      },
    ]);
    const collapsed = await ended(c.id);
    assert.equal(collapsed.state, 'rejected');
    assert.deepEqual(await fired(c.id), [
      {
        rule: 'stopIf[0]',
        kind: 'interval',
        action: 'reject',
        observed: { metric: 'accuracy', value: 0.4, epoch: 2, min: 0.5, max: 1 },
      },
    ]);
    const exited = (await eventsOf(c.id, 'session.exited'))[0] as SwarmEvent<'session.exited'>;
    assert.equal(exited.data.state, 'rejected');
    for (const near of [b, d]) {
      assert.equal((await ended(near.id)).state, 'succeeded', near.name);
      assert.deepEqual(await fired(near.id), [], near.name);
    }
  });

  it('promotes a better generation to production, not a worse one; beats production by a delta', async () => {
    const promote: RulesDoc = {
      accept: [{ name: 'promote', metric: 'val_accuracy', stage: 'production', beatProductionBy: 0 }],
    };
    const first = await submit(
      {
        saves: [
          { model: 'acc-model', weights: W, metrics: { val_accuracy: 0.8 } },
          { model: 'acc-model', weights: W, metrics: { val_accuracy: 0.7 } },
        ],
      },
      promote,
      'saves-two',
    );
    assert.equal((await ended(first.id)).state, 'succeeded');
    const models = manager.services.models;
    assert.equal((await models.model('acc-model')).production, 1);
    const firings = await eventsOf(first.id, 'rule.fired');
    assert.equal(firings.length, 1);
    assert.equal(firings[0]!.model, 'acc-model');
    assert.deepEqual(firings[0]!.data, {
      rule: 'promote',
      kind: 'accept',
      action: 'stage:production',
      observed: { metric: 'val_accuracy', value: 0.8, generation: 1, production: null },
    });
    const history = await models.history('acc-model');
    const promoted = history.entries.find((h) => h.to === 'production');
    assert.deepEqual([promoted?.generation, promoted?.reason], [1, 'rule promote']);

    // With generation 1 (0.8) in production: 0.83 is not 0.05 better, 0.9 is.
    const delta: RulesDoc = {
      accept: [{ metric: 'val_accuracy', stage: 'production', beatProductionBy: 0.05, model: 'acc-model' }],
    };
    const second = await submit(
      {
        saves: [
          { model: 'acc-model', weights: W, metrics: { val_accuracy: 0.83 } },
          { model: 'other-model', weights: W, metrics: { val_accuracy: 0.99 } },
          { model: 'acc-model', weights: W, metrics: { val_accuracy: 0.9 } },
        ],
      },
      delta,
      'beats-by-delta',
    );
    assert.equal((await ended(second.id)).state, 'succeeded');
    const view = await models.model('acc-model');
    assert.equal(view.production, 4);
    assert.deepEqual(view.archived, [1]);
    assert.equal((await models.model('other-model')).production, null, 'the rule names another model');
    const [f] = await fired(second.id);
    assert.equal(f?.action, 'stage:production');
    assert.equal(f?.observed.production, 1);
    assert.equal(f?.observed.productionValue, 0.8);
    assert.ok(Math.abs((f?.observed.improvement as number) - 0.1) < 1e-9);
  });

  it('stages only generations whose weights stay within the relative-change bound', async () => {
    const models = new ModelsClient(client, {});
    const base = await models.saveGeneration({
      model: 'diff-model',
      type: 'classifier/tiny',
      format: 'raw-float32',
      buffer: raw(W),
      tensors: { w: { shape: [4], offset: 0 } },
      metrics: { val_accuracy: 0.5 },
    });
    await models.setStage('diff-model', base.generation, 'production');
    const rules: RulesDoc = {
      accept: [
        { metric: 'val_accuracy', stage: 'staging', atLeast: 0.6, weightsDiff: { maxRelativeChange: 0.1 } },
      ],
    };
    const s = await submit(
      {
        saves: [
          { model: 'diff-model', weights: W.map((w) => w * 1.01), metrics: { val_accuracy: 0.7 } },
          { model: 'diff-model', weights: W.map((w) => w * 3), metrics: { val_accuracy: 0.9 } },
          { model: 'diff-model', weights: W.map((w) => w * 1.02), metrics: { val_accuracy: 0.55 } },
        ],
      },
      rules,
      'weights-diff',
    );
    assert.equal((await ended(s.id)).state, 'succeeded');
    const view = await manager.services.models.model('diff-model');
    assert.equal(view.staging, 2, 'the small change; not the big one (3) nor the one under atLeast (4)');
    assert.equal(view.production, 1);
    const f = await fired(s.id);
    assert.equal(f.length, 1);
    assert.equal(f[0]!.action, 'stage:staging');
    assert.ok(Math.abs((f[0]!.observed.relativeChange as number) - 0.01) < 1e-6);
  });

  it('flags failed exits and retries them through the API; exit 0 is left alone', async () => {
    const rulesFile = join(dir, 'rules.json');
    await writeFile(rulesFile, JSON.stringify({ onExit: { retry: 2 } }));
    const rules = await readRules(rulesFile);
    const post = (code: number, r: RulesDoc) =>
      client.json<SessionRecord>('POST', '/api/v1/sessions', {
        body: { name: `exit-${code}`, command: [process.execPath, '-e', `process.exit(${code})`], rules: r },
      });
    const [three, zero, other] = await Promise.all([
      post(3, rules),
      post(0, rules),
      post(3, { onExit: { retry: 1, codes: [4] } }),
    ]);
    const chain: SessionRecord[] = [await ended(three.id)];
    while (chain.length < 3) {
      const last = chain.at(-1)!;
      let next: string | undefined;
      for (const end = Date.now() + 20_000; !next; await sleep(20)) {
        next = (await manager.services.sessions.get(last.id)).retriedBy;
        if (!next && Date.now() > end) throw new Error(`session ${last.id} was not retried`);
      }
      chain.push(await ended(next));
    }
    assert.deepEqual(
      chain.map((s) => [s.state, s.exitCode, s.attempt ?? 1, s.retryOf, s.flagged?.exitCode]),
      [
        ['failed', 3, 1, undefined, 3],
        ['failed', 3, 2, chain[0]!.id, 3],
        ['failed', 3, 3, chain[1]!.id, 3],
      ],
    );
    assert.equal(chain[2]!.retriedBy, undefined);
    assert.deepEqual(chain[1]!.command, three.command);
    assert.deepEqual(
      (await fired(chain[0]!.id)).map((f) => [f.action, f.observed.retryId]),
      [
        ['flag', undefined],
        ['retry', chain[1]!.id],
      ],
    );
    assert.deepEqual(
      (await fired(chain[2]!.id)).map((f) => f.action),
      ['flag'],
    );
    for (const s of [zero, other]) {
      const done = await ended(s.id);
      assert.equal(done.flagged, undefined, s.name);
      assert.equal(done.retriedBy, undefined, s.name);
      assert.deepEqual(await fired(s.id), [], s.name);
    }
  });

  it('refuses invalid rule documents with the path of the bad field', async () => {
    const field = async (rules: unknown) => {
      const err = await client.json('POST', '/api/v1/sessions', { body: { command: ['true'], rules } }).then(
        () => assert.fail('accepted'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof InvalidError, String(err));
      assert.equal(err.details.status, 400);
      return err.details.field;
    };
    assert.equal(
      await field({
        stopIf: [
          { metric: 'l', kind: 'nonFinite' },
          { metric: 'a', kind: 'noImprovement', patience: 0, mode: 'max' },
        ],
      }),
      'rules.stopIf[1].patience',
    );
    assert.equal(await field({ accept: [{ metric: 'a', stage: 'live' }] }), 'rules.accept[0].stage');
    assert.equal(await field({ onExit: { retry: 99 } }), 'rules.onExit.retry');
    assert.equal(
      await field({ stopIf: [{ metric: 'l', kind: 'nonFinite', when: 1 }] }),
      'rules.stopIf[0].when',
    );
    const bad = join(dir, 'bad-rules.json');
    await writeFile(bad, JSON.stringify({ stopIf: [{ metric: 'l', kind: 'interval' }] }));
    await assert.rejects(readRules(bad), (e: unknown) => {
      assert.ok(e instanceof InvalidError);
      assert.equal(e.details.field, 'rules.stopIf[0].min');
      assert.match(e.message, /^--rules .*bad-rules\.json: rules\.stopIf\[0\]\.min: /);
      assert.ok(!e.message.includes('\n'));
      return true;
    });
    await writeFile(bad, '{"stopIf": [');
    await assert.rejects(readRules(bad), /is not JSON/);
  });

  it('resumes from its stored cursor after a restart without evaluating any event twice', async () => {
    const before = await manager.services.events.page(
      { types: ['rule.fired'] },
      { limit: 10_000, scanLimit: 1e7 },
    );
    assert.ok(before.events.length >= 8);
    await manager.close();
    // Rewind the stored cursor: the next engine replays the whole archive; per-session cursors skip it all.
    const store = await openStore(config.store, { dataDir: dir });
    assert.ok(((await store.get<{ cursor: number }>(CURSOR_KEY))?.value.cursor ?? 0) > 0);
    await store.put(CURSOR_KEY, { cursor: 0 });
    await store.close();
    manager = await t.restart();
    const watched = ['session.epoch', 'session.metric', 'generation.saved', 'session.exited'];
    const replayed = await manager.services.events.page(
      { types: watched },
      { limit: 100_000, scanLimit: 1e7 },
    );
    const last = replayed.events.at(-1)!.cursor;
    while (manager.services.rules.cursor < last) await sleep(10);
    await manager.services.rules.settle();
    const afterRestart = await manager.services.events.page(
      { types: ['rule.fired'] },
      { limit: 10_000, scanLimit: 1e7 },
    );
    assert.deepEqual(
      afterRestart.events.map((e) => e.cursor),
      before.events.map((e) => e.cursor),
    );
  });
});
