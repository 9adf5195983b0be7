import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { isAlive } from '../util/proc.js';
import { fakeGpuNode, type Harness, harness, nodeScript } from './testing/harness.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A rank that prints its rendezvous, then waits until `file` exists and exits with the code its rank is given. */
const rankScript = (file: string, codes: Record<number, number> = {}) =>
  nodeScript(`
    const e = process.env;
    console.log(JSON.stringify({ rank: e.SWARMLAB_RANK, world: e.SWARMLAB_WORLD_SIZE, local: e.SWARMLAB_LOCAL_RANK,
      RANK: e.RANK, WORLD_SIZE: e.WORLD_SIZE, LOCAL_RANK: e.LOCAL_RANK, addr: e.MASTER_ADDR, port: e.MASTER_PORT,
      id: e.SWARMLAB_SESSION_ID }));
    const codes = ${JSON.stringify(codes)};
    const t = setInterval(() => {
      if (codes[e.RANK] !== undefined) process.exit(codes[e.RANK]);
      if (require('fs').existsSync(${JSON.stringify(file)})) { console.log('bye ' + e.RANK); process.exit(0); }
    }, 30);
  `);

describe('gang sessions on the local executor (real processes)', () => {
  let h: Harness;
  before(async () => {
    h = await harness({ nodes: [fakeGpuNode(4, 4)], stopGraceMs: 3000 });
  });
  after(async () => h.close());

  it('starts every rank with its rank and the PyTorch rendezvous; one record, logs tagged by rank', async () => {
    const go = join(h.dir, 'go-1');
    const s = await h.manager.submit({
      command: rankScript(go),
      replicas: 3,
      resources: { cpus: 1, gpus: 1 },
    });
    assert.equal(s.replicas, 3);
    const running = await h.waitFor(s.id, (r) => r.state === 'running');
    assert.deepEqual(
      running.ranks?.map((r) => [r.rank, r.node, r.gpus.length, r.handle!.pid > 0]),
      [0, 1, 2].map((i) => [i, 'gpu-box', 1, true]),
    );
    assert.deepEqual(new Set(running.ranks?.flatMap((r) => r.gpus)).size, 3, 'each rank its own GPU');
    while ((await h.manager.logs(s.id)).lines.length < 3) await sleep(20);
    await writeFile(go, '');
    const done = await h.waitFor(s.id);
    assert.equal(done.state, 'succeeded');
    assert.equal(done.exitCode, 0);
    assert.deepEqual(
      done.ranks?.map((r) => r.exitCode),
      [0, 0, 0],
    );
    const lines = (await h.manager.logs(s.id)).lines;
    const hello = lines
      .filter((l) => l.line.startsWith('{'))
      .map((l) => ({ tag: l.rank, ...JSON.parse(l.line) }));
    const port = running.rendezvous!.port;
    assert.ok(port > 0);
    assert.deepEqual(
      hello.sort((a, b) => a.tag - b.tag),
      [0, 1, 2].map((i) => ({
        tag: i,
        rank: String(i),
        world: '3',
        local: String(i),
        RANK: String(i),
        WORLD_SIZE: '3',
        LOCAL_RANK: String(i),
        addr: '127.0.0.1',
        port: String(port),
        id: s.id,
      })),
    );
    assert.deepEqual(
      lines
        .filter((l) => l.line.startsWith('bye'))
        .map((l) => `${l.rank}:${l.line}`)
        .sort(),
      ['0:bye 0', '1:bye 1', '2:bye 2'],
    );
  });

  it('one failing rank stops the others and fails the session with its exit code', async () => {
    const s = await h.manager.submit({ command: rankScript(join(h.dir, 'never'), { 1: 7 }), replicas: 2 });
    const done = await h.waitFor(s.id);
    assert.equal(done.state, 'failed');
    assert.equal(done.exitCode, 7);
    assert.match(done.reason ?? '', /^rank 1 exited with code 7/);
    const r0 = done.ranks![0]!;
    assert.equal(r0.signal, 'SIGTERM', 'rank 0 was stopped, not left to run');
    assert.equal(isAlive(r0.handle!.pid, r0.handle!.startTime), false);
    const exited = (await h.eventsOf(s.id)).find((e) => e.type === 'session.exited');
    assert.deepEqual(exited?.data, {
      state: 'failed',
      exitCode: 7,
      signal: null,
      reason: done.reason,
      rank: 1,
    });
  });

  it('stop stops every rank', async () => {
    const s = await h.manager.submit({ command: rankScript(join(h.dir, 'never')), replicas: 2 });
    const running = await h.waitFor(s.id, (r) => r.state === 'running');
    await h.manager.stop(s.id, 'enough');
    const done = await h.waitFor(s.id);
    assert.equal(done.state, 'stopped');
    assert.deepEqual(
      done.ranks?.map((r) => r.signal),
      ['SIGTERM', 'SIGTERM'],
    );
    for (const r of running.ranks!) assert.equal(isAlive(r.handle!.pid, r.handle!.startTime), false);
  });

  it('all or nothing under contention: a gang that does not fit starts no rank until all fit', async () => {
    // 4 cpus: gang A takes 3, so gang B (2 ranks × 1 cpu) cannot start even one rank; a 1-cpu session still can.
    const goA = join(h.dir, 'go-a');
    const a = await h.manager.submit({ command: rankScript(goA), replicas: 3, resources: { cpus: 1 } });
    await h.waitFor(a.id, (r) => r.state === 'running');
    const b = await h.manager.submit({
      command: rankScript(join(h.dir, 'go-b'), { 0: 0, 1: 0 }),
      replicas: 2,
    });
    const c = await h.manager.submit({ command: nodeScript('setTimeout(() => {}, 300)') });
    assert.equal((await h.waitFor(c.id)).state, 'succeeded');
    const waiting = await h.manager.get(b.id);
    assert.equal(waiting.state, 'queued');
    assert.equal(waiting.ranks, undefined);
    assert.equal(existsSync(join(h.dir, 'sessions', b.id, 'rank-0')), false, 'no rank of B was started');
    await writeFile(goA, '');
    assert.equal((await h.waitFor(a.id)).state, 'succeeded');
    const doneB = await h.waitFor(b.id);
    assert.equal(doneB.state, 'succeeded');
    assert.ok(doneB.placedAt! >= (await h.manager.get(a.id)).endedAt!);
  });

  it('a manager restart re-attaches every rank', async () => {
    const go = join(h.dir, 'go-restart');
    const s = await h.manager.submit({ command: rankScript(go), replicas: 2 });
    const running = await h.waitFor(s.id, (r) => r.state === 'running');
    while ((await h.manager.logs(s.id)).lines.length < 2) await sleep(20);
    await h.manager.close();
    const m2 = await h.restart();
    const again = await m2.get(s.id);
    assert.equal(again.state, 'running');
    const attached = (await h.eventsOf(s.id)).filter((e) => e.type === 'session.started');
    assert.equal(attached.length, 2, 'started, then re-attached');
    await writeFile(go, '');
    const done = await h.waitFor(s.id);
    assert.equal(done.state, 'succeeded');
    assert.deepEqual(
      done.ranks?.map((r) => [r.handle?.pid, r.exitCode]),
      running.ranks?.map((r) => [r.handle?.pid, 0]),
    );
    const byes = (await m2.logs(s.id)).lines.filter((l) => l.line.startsWith('bye'));
    assert.deepEqual(
      byes.map((l) => l.rank).sort(),
      [0, 1],
      'output of both ranks followed after the restart',
    );
  });
});
