/**
 * Preemption through a real manager with real jobs (the built TS SDK): a demoted, checkpointable session yields
 * its node to waiting work of higher priority, checkpoints on the `preempted` stop request, and its next attempt
 * resumes from that checkpoint (an artifact and a generation); a job that never declared itself restartable keeps
 * running; a resubmission owed when the manager stopped is made by the next one.
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { SessionRecord, SessionSpec } from '../api/index.js';
import { SDK } from '../sweeps/testing/objective.js';
import { swarmlab } from '../testing/cli.js';
import { TEST_TOKEN, type TestManager, testManager } from '../testing/manager.js';
import { waitForSession } from '../testing/sessions.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const ENDED = ['succeeded', 'failed', 'stopped', 'rejected', 'lost'];
const BOX = { box: 'small' };

/**
 * Counts `steps` steps of 40 ms, reporting each as an epoch. With `checkpointable`, declares itself restartable,
 * resumes from the earlier attempt's `ckpt.json` artifact, and on a stop request (rank 0 of a gang) writes its step
 * to SWARMLAB_OUTPUT_DIR/ckpt.json and saves it as a generation of `preempt-model` before it exits.
 */
const counter = (steps: number, checkpointable: boolean): string[] => [
  process.execPath,
  '--input-type=module',
  '-e',
  `
const { session } = await import(${JSON.stringify(pathToFileURL(SDK).href)});
const fs = await import('node:fs');
const { join } = await import('node:path');
const s = await session();
const out = process.env.SWARMLAB_OUTPUT_DIR;
let step = 0;
if (${checkpointable}) {
  await s.checkpointable();
  const tmp = join(out, 'resumed-' + s.info.rank + '.json'); // a gang's ranks share the output dir
  if (await s.resumeArtifact('ckpt.json', tmp)) step = JSON.parse(fs.readFileSync(tmp, 'utf8')).step;
  fs.rmSync(tmp, { force: true });
  const info = await s.resume('preempt-model');
  console.log('attempt ' + s.info.attempt + ' resumes at ' + step + ' generation-from ' + (info.generation?.sessionId ?? 'none'));
}
let stopping = false;
s.onStop(async (reason) => {
  stopping = true;
  const at = step;
  // Rank 0 keeps the checkpoint (a gang's ranks are in step).
  if (${checkpointable} && s.info.rank === 0) {
    fs.writeFileSync(join(out, 'ckpt.json'), JSON.stringify({ step: at }));
    await s.saveGeneration({ model: 'preempt-model', type: 'counter', format: 'raw-float32', metrics: { step: at },
      buffer: new Uint8Array(Float32Array.of(at).buffer), tensors: { step: { shape: [1], offset: 0 } } });
  }
  console.log('stop asked: ' + reason + ' preempted=' + s.preempted + ' at ' + at);
  await s.close();
  process.exit(0);
});
for (; step < ${steps} && !stopping; step++) {
  s.epoch(step + 1, { loss: 1 / (step + 1) });
  await new Promise((r) => setTimeout(r, 40));
}
console.log('done at ' + step);
await s.close();
`,
];

describe('preemption of demoted, restartable sessions (real processes)', () => {
  let t: TestManager;
  const submit = (spec: SessionSpec) =>
    t.client.json<SessionRecord>('POST', '/api/v1/sessions', { body: spec });
  const get = (id: string) => t.client.json<SessionRecord>('GET', `/api/v1/sessions/${id}`);
  const ended = (id: string) => waitForSession(t.client, id, (s) => ENDED.includes(s.state), 60_000);
  const logText = async (id: string) =>
    (await t.client.json<{ lines: Array<{ line: string }> }>('GET', `/api/v1/sessions/${id}/logs`)).lines
      .map((l) => l.line)
      .join('\n');

  /**
   * Once `id` is demoted, restartable and a few steps into training (each of its `ranks`), submits work of higher
   * priority that needs its room on the box.
   */
  const preemptFor = async (
    id: string,
    name: string,
    ranks = 1,
    waiting: Partial<SessionSpec> = { resources: { cpus: 1, memoryMb: 800 } },
  ): Promise<SessionRecord> => {
    await waitForSession(t.client, id, (s) => s.demotedAt !== undefined && s.checkpointable === true, 30_000);
    while ((await logText(id)).split('attempt 1 resumes at 0').length <= ranks) await sleep(50);
    await sleep(300);
    return submit({ name, command: [process.execPath, '-e', ''], labels: BOX, ...waiting });
  };
  /** The attempt submitted for a preempted session (right after its end is recorded). */
  const nextAttempt = async (id: string) =>
    (await waitForSession(t.client, id, (s) => s.retriedBy !== undefined)).retriedBy!;
  const rankLines = async (id: string): Promise<Array<[number, string]>> =>
    (
      await t.client.json<{ lines: Array<{ line: string; rank?: number }> }>(
        'GET',
        `/api/v1/sessions/${id}/logs`,
      )
    ).lines.map((l) => [l.rank ?? 0, l.line]);

  before(async () => {
    t = await testManager({
      longRun: '400ms',
      stopGrace: '5s',
      nodes: {
        nodes: [
          { name: 'box', pool: 'training', labels: BOX, capacity: { cpus: 2, memoryMb: 1000, gpus: [] } },
        ],
      },
    });
  });
  after(async () => t.close());

  it('yields to higher-priority work, checkpoints, and its next attempt resumes and finishes', async () => {
    const victim = await submit({
      name: 'long',
      command: counter(150, true),
      labels: BOX,
      resources: { cpus: 1, memoryMb: 800 },
    });
    const urgent = await preemptFor(victim.id, 'urgent');
    const demoted = await get(victim.id);
    assert.equal(demoted.pool, 'low-priority');
    assert.equal(demoted.priority, -1);

    const stopped = await ended(victim.id);
    assert.equal(stopped.state, 'stopped');
    assert.equal(stopped.preemptedBy, urgent.id);
    assert.match(stopped.reason ?? '', new RegExp(`^preempted: session ${urgent.id} \\(priority 0\\)`));
    const said = (await logText(victim.id)).match(/stop asked: (\S+) preempted=(\w+) at (\d+)/);
    assert.ok(said, `the job heard the stop request through the SDK: ${await logText(victim.id)}`);
    assert.deepEqual(said.slice(1, 3), ['preempted', 'true']);
    const checkpoint = Number(said[3]);
    assert.ok(checkpoint > 0 && checkpoint < 150, `checkpoint at step ${checkpoint}`);

    const u = await ended(urgent.id);
    assert.equal(u.state, 'succeeded');
    assert.ok(u.startedAt! >= stopped.endedAt!, 'the urgent session started once the victim had yielded');

    const next = await ended(await nextAttempt(victim.id));
    assert.equal(next.state, 'succeeded');
    assert.equal(next.attempt, 2);
    assert.equal(next.retryOf, victim.id);
    const submitted = await t.client.json<{ events: Array<{ data: { pool: string; priority: number } }> }>(
      'GET',
      '/api/v1/events',
      { query: { session: next.id, type: 'session.submitted' } },
    );
    assert.deepEqual(
      submitted.events.map((e) => [e.data.pool, e.data.priority]),
      [['training', -1]],
      'it keeps its demoted priority; no low-priority node could hold it, so it goes back to the pool it ran in',
    );
    const text = await logText(next.id);
    assert.match(text, new RegExp(`attempt 2 resumes at ${checkpoint} generation-from ${victim.id}`));
    assert.match(text, /done at 150/);

    const info = await t.client.json<{
      attempt: number;
      previous: string[];
      artifacts: Array<{ path: string }>;
    }>('GET', `/api/v1/sessions/${next.id}/resume`);
    assert.equal(info.attempt, 2);
    assert.deepEqual(info.previous, [victim.id]);
    assert.deepEqual(
      info.artifacts.map((a) => a.path),
      ['ckpt.json'],
    );
  });

  it('preempts a demoted, restartable gang: every rank yields, and the next attempt resumes as a gang', async () => {
    const gang = await submit({
      name: 'gang-long',
      command: counter(150, true),
      labels: BOX,
      replicas: 2,
      resources: { cpus: 1, memoryMb: 400 },
    });
    const urgent = await preemptFor(gang.id, 'urgent-gang', 2);
    const stopped = await ended(gang.id);
    assert.equal(stopped.state, 'stopped');
    assert.equal(stopped.preemptedBy, urgent.id);
    const said = (await rankLines(gang.id)).filter(([, l]) =>
      l.startsWith('stop asked: preempted preempted=true'),
    );
    assert.deepEqual(said.map(([r]) => r).sort(), [0, 1], 'every rank heard the preemption');
    const at = Number(said.find(([r]) => r === 0)![1].split(' at ')[1]);
    assert.ok(at > 0, `checkpoint at step ${at}`);
    const next = await ended(await nextAttempt(gang.id));
    assert.equal(next.state, 'succeeded', `${next.reason}: ${await logText(next.id)}`);
    assert.equal(next.replicas, 2);
    assert.equal(next.attempt, 2);
    assert.deepEqual(
      (await rankLines(next.id)).filter(([, l]) => l.startsWith('attempt 2 resumes at ')).sort(),
      [0, 1].map((r) => [r, `attempt 2 resumes at ${at} generation-from ${gang.id}`]),
      "both ranks resume from rank 0's checkpoint",
    );
    assert.equal((await ended(urgent.id)).state, 'succeeded');
  });

  it('a waiting gang preempts what its ranks need', async () => {
    const victim = await submit({
      name: 'long-before-gang',
      command: counter(150, true),
      labels: BOX,
      resources: { cpus: 1, memoryMb: 800 },
    });
    const gang = await preemptFor(victim.id, 'waiting-gang', 1, {
      replicas: 2,
      resources: { cpus: 1, memoryMb: 400 },
    });
    const stopped = await ended(victim.id);
    assert.equal(stopped.state, 'stopped');
    assert.equal(stopped.preemptedBy, gang.id);
    const g = await ended(gang.id);
    assert.equal(g.state, 'succeeded');
    assert.deepEqual(
      g.ranks?.map((r) => r.node),
      ['box', 'box'],
    );
    assert.ok(g.startedAt! >= stopped.endedAt!);
    assert.equal((await ended(await nextAttempt(victim.id))).state, 'succeeded');
  });

  it('swarmlab run --follow goes on following the next attempt of a preempted session', async () => {
    const run = swarmlab(t.manager, [
      'run',
      '--follow',
      '--name',
      'cli-long',
      '--label',
      'box=small',
      '--cpus',
      '1',
      '--memory',
      '800',
      '--',
      ...counter(100, true),
    ]);
    const id = /session (\S+) queued/.exec(
      await (async () => {
        while (!/session \S+ queued/.test(run.stderr())) await sleep(50);
        return run.stderr();
      })(),
    )![1]!;
    const urgent = await preemptFor(id, 'urgent-cli');
    const r = await run;
    assert.equal(r.code, 0, r.stderr);
    const next = await nextAttempt(id);
    assert.match(r.stderr, new RegExp(`session ${id} preempted: session ${urgent.id}`));
    assert.match(r.stderr, new RegExp(`following its next attempt ${next} \\(attempt 2\\)`));
    assert.match(r.stderr, new RegExp(`session ${next} succeeded\\n$`));
    assert.match(r.stdout, /attempt 1 resumes at 0 generation-from none\n/);
    assert.match(r.stdout, /attempt 2 resumes at [1-9]\d* generation-from /);
    assert.match(r.stdout, /done at 100\n$/);
  });

  it('leaves a demoted session that never declared itself restartable running', async () => {
    const plain = await submit({
      name: 'plain',
      command: counter(40, false),
      labels: BOX,
      resources: { cpus: 1, memoryMb: 800 },
    });
    await waitForSession(t.client, plain.id, (s) => s.demotedAt !== undefined, 30_000);
    const waiting = await submit({
      name: 'waiting',
      command: [process.execPath, '-e', ''],
      labels: BOX,
      resources: { cpus: 1, memoryMb: 800 },
    });
    const p = await ended(plain.id);
    assert.equal(p.state, 'succeeded');
    assert.equal(p.preemptedBy, undefined);
    assert.match(await logText(plain.id), /done at 40/);
    const w = await ended(waiting.id);
    assert.equal(w.state, 'succeeded');
    assert.ok(w.startedAt! >= p.endedAt!);
  });

  it('a session token may read its own resume info, not another session’s', async () => {
    const s = await submit({ name: 'tok', command: [process.execPath, '-e', ''], labels: BOX });
    await ended(s.id);
    const other = await submit({
      name: 'tok2',
      command: [process.execPath, '-e', 'setTimeout(()=>{},5000)'],
      labels: BOX,
    });
    await waitForSession(t.client, other.id, (r) => r.state === 'running');
    const sessionToken = t.manager.services.sessionTokens.mint(other.id);
    const as = (path: string) =>
      fetch(`${t.url}${path}`, { headers: { authorization: `Bearer ${sessionToken}` } });
    assert.equal((await as(`/api/v1/sessions/${other.id}/resume`)).status, 200);
    assert.equal((await as(`/api/v1/sessions/${s.id}/resume`)).status, 403);
    const missing = await as(`/api/v1/sessions/${other.id}/resume/artifacts/ckpt.json`);
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as { error: { code: string } }).error.code, 'NOT_FOUND');
    await t.client.json('POST', `/api/v1/sessions/${other.id}/stop`, { body: {} });
    await ended(other.id);
    assert.notEqual(TEST_TOKEN, sessionToken);
  });

  it('a resubmission owed when the manager stopped is made by the next manager', async () => {
    const s = await submit({ name: 'owed', command: [process.execPath, '-e', ''], labels: BOX });
    const done = await ended(s.id);
    assert.equal(done.retriedBy, undefined);
    // What a manager killed between a preempted session's end and its resubmission leaves in the store.
    await t.manager.store.commit([t.manager.services.sessions.repo.resubmitOp(done)]);
    await t.restart();
    const again = await waitForSession(t.client, s.id, (r) => r.retriedBy !== undefined);
    const next = await get(again.retriedBy!);
    assert.equal(next.attempt, 2);
    assert.equal(next.retryOf, s.id);
    assert.deepEqual(await t.manager.services.sessions.repo.owedResubmits(), []);
    await ended(next.id);
  });
});
