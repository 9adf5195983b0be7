import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type Harness, harness, nodeScript } from './testing/harness.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const transitions = (events: { type: string; data: unknown }[]) =>
  events.filter((e) => e.type !== 'session.log').map((e) => e.type);

describe('restart reconciliation (in-process manager restart)', () => {
  let h: Harness;
  before(async () => {
    h = await harness();
  });
  after(async () => h.close());

  it('re-attaches live sessions, records outcomes of those that ended meanwhile, marks the rest lost', async () => {
    const m1 = h.manager;
    const attach = await m1.submit({
      command: nodeScript(
        'console.log("before"); setTimeout(() => { console.log("after"); process.exit(4) }, 1200)',
      ),
      resources: { gpus: 4 },
    });
    const waiting = await m1.submit({ command: nodeScript('console.log("ran")'), resources: { gpus: 4 } });
    const ends = await m1.submit({ command: nodeScript('setTimeout(() => console.log("done"), 200)') });
    const vanish = await m1.submit({ command: nodeScript('setTimeout(() => {}, 60000)') });
    for (const s of [attach, ends, vanish]) await h.waitFor(s.id, (r) => r.state === 'running');
    while ((await m1.logs(attach.id)).lines.length === 0) await sleep(20);
    await m1.close();

    // While no manager runs: one session finishes, one is killed outright.
    const victim = (await h.manager.repo.get(vanish.id))!.handle!.pid;
    process.kill(-victim, 'SIGKILL');
    await sleep(400);

    const m2 = await h.restart();
    const rEnds = await h.waitFor(ends.id);
    assert.equal(rEnds.state, 'succeeded');
    assert.deepEqual(
      (await m2.logs(ends.id)).lines.map((l) => l.line),
      ['done'],
    );
    const rVanish = await h.waitFor(vanish.id);
    assert.equal(rVanish.state, 'lost');
    assert.match(rVanish.reason ?? '', /no exit status/);

    assert.equal((await m2.get(attach.id)).state, 'running');
    assert.equal((await m2.get(waiting.id)).state, 'queued');
    const rAttach = await h.waitFor(attach.id);
    assert.equal(rAttach.state, 'failed');
    assert.equal(rAttach.exitCode, 4);
    assert.deepEqual(
      (await m2.logs(attach.id)).lines.map((l) => l.line),
      ['before', 'after'],
    );
    const rWaiting = await h.waitFor(waiting.id);
    assert.equal(rWaiting.state, 'succeeded');
    assert.ok(rWaiting.placedAt! >= rAttach.endedAt!, 'the queued session waited for the re-attached one');

    const ev = await h.eventsOf(attach.id);
    assert.deepEqual(transitions(ev), [
      'session.submitted',
      'session.placed',
      'session.starting',
      'session.started',
      'session.started',
      'session.exited',
    ]);
    const started = ev.filter((e) => e.type === 'session.started') as { data: { attached?: boolean } }[];
    assert.equal(started[1]!.data.attached, true);
    const all = await h.events.read(0, 100_000);
    for (let i = 1; i < all.length; i++) assert.equal(all[i]!.cursor, all[i - 1]!.cursor + 1);
  });
});
