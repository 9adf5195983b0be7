import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { openLmdbStore, type Store } from '../store/index.js';
import { EventArchive, EventHub, type NewEvent, type SwarmEvent } from './index.js';

const log = (sessionId: string, line: string): NewEvent => ({
  type: 'session.log',
  sessionId,
  data: { stream: 'stdout', lines: [line] },
});

describe('events', () => {
  let dir: string;
  let store: Store;
  let archive: EventArchive;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'swarmlab-events-'));
    store = await openLmdbStore({ path: dir });
    archive = new EventArchive(store);
  });
  after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('assigns strictly increasing cursors and pages with filters', async () => {
    const appended = await archive.append([log('a', '1'), log('b', '2'), log('a', '3')]);
    assert.deepEqual(
      appended.map((e) => e.sessionId),
      ['a', 'b', 'a'],
    );
    assert.ok(appended[0]!.cursor < appended[1]!.cursor && appended[1]!.cursor < appended[2]!.cursor);
    const start = appended[0]!.cursor - 1;
    const onlyA = await archive.page({ sessionId: 'a' }, { after: start });
    assert.deepEqual(
      onlyA.events.map((e) => (e.data as { lines: string[] }).lines[0]),
      ['1', '3'],
    );
    const limited = await archive.page({}, { after: start, limit: 2 });
    assert.equal(limited.events.length, 2);
    assert.equal(limited.next, appended[1]!.cursor);
    const byPrefix = await archive.page({ types: ['session.*'] }, { after: start });
    assert.equal(byPrefix.events.length, 3);
    const none = await archive.page({ types: ['model.promoted'] }, { after: start });
    assert.equal(none.events.length, 0);
    assert.equal(none.next, appended[2]!.cursor);
  });

  it('resumes a subscription from a cursor with no gap and no duplicate while events keep arriving', async () => {
    const hub = new EventHub(store, archive);
    await hub.start();
    const base = await archive.lastCursor();
    const writer = (async () => {
      for (let i = 0; i < 200; i++) await archive.append(log('w', String(i)));
    })();
    // First connection reads some events, then "disconnects".
    const first: SwarmEvent[] = [];
    const stopFirst = await hub.subscribe({ sessionId: 'w' }, base, (e) => first.push(e));
    await new Promise((r) => setTimeout(r, 5));
    stopFirst();
    const resumeFrom = first.at(-1)?.cursor ?? base;
    const second: SwarmEvent[] = [];
    const stopSecond = await hub.subscribe({ sessionId: 'w' }, resumeFrom, (e) => second.push(e));
    await writer;
    const lastCursor = await archive.lastCursor();
    while ((second.at(-1)?.cursor ?? resumeFrom) < lastCursor) await new Promise((r) => setTimeout(r, 5));
    stopSecond();
    const lines = [...first, ...second].map((e) => (e.data as { lines: string[] }).lines[0]);
    assert.deepEqual(
      lines,
      Array.from({ length: 200 }, (_, i) => String(i)),
    );
    await hub.close();
  });

  it('delivers only matching live events', async () => {
    const hub = new EventHub(store, archive);
    const got: string[] = [];
    const stop = await hub.subscribe({ types: ['session.exited'] }, await archive.lastCursor(), (e) =>
      got.push(e.type),
    );
    await archive.append([
      log('x', 'skip me'),
      { type: 'session.exited', sessionId: 'x', data: { state: 'succeeded', exitCode: 0, signal: null } },
    ]);
    while (got.length < 1) await new Promise((r) => setTimeout(r, 5));
    await new Promise((r) => setTimeout(r, 20));
    assert.deepEqual(got, ['session.exited']);
    stop();
    await hub.close();
  });

  it("finds a session's events by scanning only from about its start, skipping its model's events", async () => {
    const own = await mkdtemp(join(tmpdir(), 'swarmlab-events-scan-'));
    const real = await openLmdbStore({ path: own });
    let scanned = 0;
    // The real store, with the entries each read returns counted.
    const counting = new Proxy(real, {
      get: (target, key) =>
        key === 'read'
          ? async (...args: Parameters<Store['read']>) => {
              const entries = await target.read(...args);
              scanned += entries.length;
              return entries;
            }
          : Reflect.get(target, key).bind(target),
    });
    try {
      const scan = new EventArchive(counting as Store);
      const minute = 60_000;
      const started = 240 * minute;
      const events: NewEvent[] = [];
      for (let i = 0; i < 300; i++) {
        const mine = i >= 240 && i % 3 === 0;
        events.push({ ...log(mine ? 's-x' : `s-${i % 7}`, String(i)), time: i * minute });
      }
      events.push({
        type: 'generation.saved',
        sessionId: 's-x',
        model: 'm',
        data: { model: 'm', generation: 1, metrics: {} },
        time: 300 * minute,
      });
      const appended = await scan.append(events);
      const expected = appended
        .filter((e) => e.sessionId === 's-x' && e.model === undefined)
        .map((e) => e.cursor);
      assert.equal(expected.length, 20);
      scanned = 0;
      assert.deepEqual(await scan.sessionCursors('s-x', started), expected);
      assert.ok(scanned < 140, `read ${scanned} entries: from about an hour before the start, not all 301`);
    } finally {
      await real.close();
      await rm(own, { recursive: true, force: true });
    }
  });
});
