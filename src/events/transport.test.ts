import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import WebSocket from 'ws';
import { formatEvent } from '../cli/commands/events.js';
import { followEvents } from '../sdk/index.js';
import { TEST_TOKEN, type TestManager, testManager } from '../testing/manager.js';
import type { NewEvent, SwarmEvent } from './index.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const log = (sessionId: string, line: string): NewEvent => ({
  type: 'session.log',
  sessionId,
  data: { stream: 'stdout', lines: [line] },
});
const lineOf = (e: SwarmEvent) => (e.data as { lines: string[] }).lines[0];

describe('event transport', { timeout: 60_000 }, () => {
  let t: TestManager;
  let base: number;
  before(async () => {
    t = await testManager({ admission: false });
    base = await t.manager.services.events.lastCursor();
    await t.manager.services.events.append([
      log('a', 'a1'),
      { type: 'session.exited', sessionId: 'a', data: { state: 'succeeded', exitCode: 0, signal: null } },
      log('b', 'b1'),
      { type: 'node.joined', data: { node: 'n1' } },
      log('a', 'a2'),
    ]);
  });
  after(() => t.close());

  const get = async (query: string) => {
    const res = await fetch(`${t.manager.url}/api/v1/events?${query}`, {
      headers: { authorization: `Bearer ${TEST_TOKEN}` },
    });
    return { status: res.status, body: (await res.json()) as { events: SwarmEvent[]; next: number } };
  };

  it('pages through the archive with session, type and limit filters', async () => {
    const all = await get(`after=${base}`);
    assert.equal(all.body.events.length, 5);
    const cursors = all.body.events.map((e) => e.cursor);
    assert.deepEqual(
      cursors,
      [...cursors].sort((x, y) => x - y),
    );
    const a = await get(`after=${base}&session=a`);
    assert.deepEqual(
      a.body.events.map((e) => e.type),
      ['session.log', 'session.exited', 'session.log'],
    );
    const typed = await get(`after=${base}&type=node.joined&type=session.exited`);
    assert.deepEqual(
      typed.body.events.map((e) => e.type),
      ['session.exited', 'node.joined'],
    );
    const comma = await get(`after=${base}&type=node.*,session.exited`);
    assert.deepEqual(comma.body.events, typed.body.events);
    const page1 = await get(`after=${base}&session=a&type=session.log&limit=1`);
    assert.deepEqual(page1.body.events.map(lineOf), ['a1']);
    const page2 = await get(`after=${page1.body.next}&session=a&type=session.log&limit=1`);
    assert.deepEqual(page2.body.events.map(lineOf), ['a2']);
    assert.equal((await get('after=-1')).status, 400);
    assert.equal((await get('limit=0')).status, 400);
  });

  it('streams over WebSocket with filters and resumes across dropped connections with no gap or duplicate', async () => {
    const { events } = t.manager.services;
    const start = await events.lastCursor();
    const got: SwarmEvent[] = [];
    const drops: number[] = [];
    const follower = await followEvents(
      {
        url: t.manager.url,
        token: TEST_TOKEN,
        after: start,
        session: 'w',
        types: ['session.log'],
        onReconnect: (d) => drops.push(d.after),
      },
      (e) => {
        got.push(e);
      },
    );
    const n = 300;
    for (let i = 0; i < n; i++) {
      await events.append([log('w', String(i)), log('other', String(i))]);
      if (i % 100 === 50) for (const c of t.manager.server.app.websocketServer.clients) c.terminate();
    }
    while (got.length < n) await sleep(10);
    await sleep(30);
    await follower.close();
    assert.deepEqual(
      got.map(lineOf),
      Array.from({ length: n }, (_, i) => String(i)),
    );
    assert.ok(got.every((e) => e.sessionId === 'w'));
    assert.ok(drops.length >= 2, `reconnected ${drops.length} times`);
    assert.equal(follower.cursor, got.at(-1)!.cursor);
  });

  it('follows from now when no cursor is given', async () => {
    const got: SwarmEvent[] = [];
    const follower = await followEvents({ url: t.manager.url, token: TEST_TOKEN, session: 'late' }, (e) => {
      got.push(e);
    });
    await t.manager.services.events.append(log('late', 'new'));
    while (got.length < 1) await sleep(5);
    await follower.close();
    assert.deepEqual(got.map(lineOf), ['new']);
  });

  it('drops a consumer that reads too slowly with a close code saying so', async () => {
    const ws = new WebSocket(`${t.manager.url.replace('http', 'ws')}/api/v1/events/ws?session=flood`, {
      headers: { authorization: `Bearer ${TEST_TOKEN}` },
    });
    await new Promise((r) => ws.once('open', r));
    ws.pause();
    const closed = new Promise<number>((resolve) => ws.once('close', resolve));
    const big = 'x'.repeat(1024 * 1024);
    for (let i = 0; i < 40; i++) await t.manager.services.events.append(log('flood', big));
    await sleep(100);
    ws.resume();
    assert.equal(await closed, 4429);
  });

  it('refuses the stream with a wrong token', async () => {
    await assert.rejects(
      followEvents({ url: t.manager.url, token: 'wrong', after: 0 }, () => {}),
      {
        code: 'UNAUTHORIZED',
      },
    );
  });

  it('prints events with `swarmlab events` and follows them with -f', async () => {
    const line = formatEvent({
      cursor: 7,
      time: 0,
      type: 'session.epoch',
      sessionId: 's1',
      data: { epoch: 2, total: 5, metrics: { acc: 0.91234 } },
    });
    assert.match(line, /#7 +session\.epoch +s1 +epoch 2\/5 acc=0\.9123/);
    const cli = (args: string[]) =>
      spawn(
        process.execPath,
        [
          '--import',
          'tsx',
          '--input-type=module',
          '-e',
          "const { main } = await import('./src/cli/main.ts'); await main(['node', 'swarmlab', ...process.argv.slice(1)]);",
          ...args,
        ],
        {
          env: { ...process.env, SWARMLAB_URL: t.manager.url, SWARMLAB_TOKEN: TEST_TOKEN },
          stdio: ['ignore', 'pipe', 'inherit'],
        },
      );
    const once = cli(['events', '--session', 'a', '--type', 'session.log']);
    let out = '';
    once.stdout.on('data', (d) => {
      out += d;
    });
    assert.equal(await new Promise((r) => once.on('exit', r)), 0);
    assert.equal(out.trim().split('\n').length, 2);
    assert.match(out, /session\.log +a +\[stdout\] a1/);

    const follow = cli(['events', '-f', '--session', 'cli', '--json']);
    let followed = '';
    follow.stdout.on('data', (d) => {
      followed += d;
    });
    // The follower starts "from now": keep appending until it has printed one.
    for (let i = 0; !followed.includes('"cli"'); i++) {
      await t.manager.services.events.append(log('cli', `line ${i}`));
      await sleep(100);
    }
    follow.kill('SIGINT');
    assert.equal(await new Promise((r) => follow.on('exit', r)), 0);
    const first = JSON.parse(followed.split('\n')[0]!) as SwarmEvent;
    assert.equal(first.sessionId, 'cli');
  });
});
