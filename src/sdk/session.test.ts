import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { Packr, Unpackr } from 'msgpackr';
import WebSocket from 'ws';
import type { SwarmEvent } from '../api/index.js';
import { TEST_TOKEN, type TestManager, testManager } from '../testing/manager.js';
import { type SessionClient, session } from './index.js';

const execFileP = promisify(execFile);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const packr = new Packr({ useRecords: false });

async function eventsOf(t: TestManager, sessionId: string): Promise<SwarmEvent[]> {
  const page = await t.manager.services.events.page({ sessionId }, { limit: 100_000, scanLimit: 1_000_000 });
  return page.events;
}

/** Asserts the series holds steps 0…n-1 of `name` exactly once each, as does the archive. */
async function assertExactlyOnce(t: TestManager, sessionId: string, name: string, n: number): Promise<void> {
  const { series } = await t.manager.services.series.read(sessionId, { names: [name] });
  const steps = series[name]?.step ?? [];
  assert.equal(steps.length, n, `series ${name}: ${steps.length} points, expected ${n}`);
  assert.deepEqual(
    steps,
    Array.from({ length: n }, (_, k) => k),
  );
  const archived = (await eventsOf(t, sessionId))
    .flatMap((e) => (e.type === 'session.metric' ? e.data.points : []))
    .filter(([m]) => m === name)
    .map(([, , step]) => step)
    .sort((a, b) => a - b);
  assert.deepEqual(archived, steps);
}

function connect(t: TestManager, sessionId: string, options: Parameters<typeof session>[0] = {}) {
  return session({ url: t.manager.url, token: TEST_TOKEN, sessionId, env: {}, ...options });
}

/** A raw channel socket, for protocol abuse; resolves with the close code and reason. */
function rawChannel(t: TestManager, id: string, frames: Array<Buffer | string>, token = TEST_TOKEN) {
  return new Promise<{ code: number; reason: string; status?: number }>((resolve) => {
    const ws = new WebSocket(`${t.manager.url.replace('http', 'ws')}/api/v1/sessions/${id}/channel`, {
      headers: { authorization: `Bearer ${token}` },
    });
    ws.on('unexpected-response', (_req, res) => {
      resolve({ code: 0, reason: '', status: res.statusCode });
      res.resume();
      ws.terminate();
    });
    ws.on('error', () => {});
    ws.on('open', () => {
      for (const f of frames) ws.send(f);
    });
    ws.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
  });
}

describe('SDK session client', { timeout: 60_000 }, () => {
  let t: TestManager;
  before(async () => {
    t = await testManager({ admission: false });
  });
  after(() => t.close());

  it('reads the session contract and reports epochs, metrics, logs and hardware', async () => {
    const s = await session({
      env: {
        SWARMLAB_URL: t.manager.url,
        SWARMLAB_TOKEN: TEST_TOKEN,
        SWARMLAB_SESSION_ID: 'basic',
        SWARMLAB_RANK: '1',
        SWARMLAB_WORLD_SIZE: '2',
        SWARMLAB_DATASET: 'mnist:3',
        SWARMLAB_DEVICE: 'gpu',
        SWARMLAB_ATTEMPT: '3',
        SWARMLAB_RETRY_OF: 'basic-2',
      },
    });
    assert.deepEqual(
      { ...s.info, url: undefined },
      {
        id: 'basic',
        url: undefined,
        rank: 1,
        worldSize: 2,
        dataset: 'mnist:3',
        outputDir: undefined,
        device: 'gpu',
        attempt: 3,
        retryOf: 'basic-2',
      },
    );
    assert.ok(t.manager.services.channels.isConnected('basic'));
    for (let step = 0; step < 1000; step++) s.metric('loss', 1 / (step + 1), step);
    s.metric('lr', 0.1);
    s.metric('lr', 0.05);
    s.log('starting epoch', 1);
    s.log('second line');
    s.epoch(1, { acc: 0.9, loss: 0.2 }, { total: 10 });
    const hw = await s.hardware();
    assert.ok(hw.rssMb > 0 && hw.cpus > 0 && Array.isArray(hw.gpus));
    await s.close();
    assert.equal(s.state, 'closed');

    let events = await eventsOf(t, 'basic');
    // The manager archives the disconnect just after the socket closes.
    while (!events.some((e) => e.type === 'session.disconnected')) {
      await sleep(5);
      events = await eventsOf(t, 'basic');
    }
    assert.equal(events[0]!.type, 'session.connected');
    const connected = events[0] as SwarmEvent<'session.connected'>;
    assert.equal(connected.data.rank, 1);
    assert.equal(connected.data.resumed, false);
    const log = events.find((e) => e.type === 'session.log') as SwarmEvent<'session.log'>;
    assert.deepEqual(log.data, { stream: 'sdk', lines: ['starting epoch 1', 'second line'] });
    const epoch = events.find((e) => e.type === 'session.epoch') as SwarmEvent<'session.epoch'>;
    assert.deepEqual(epoch.data, { epoch: 1, total: 10, metrics: { acc: 0.9, loss: 0.2 } });
    assert.ok(
      events.some((e) => e.type === 'session.hardware' && (e.data as { pid?: number }).pid === process.pid),
    );

    const res = await fetch(`${t.manager.url}/api/v1/sessions/basic/metrics?maxPoints=0`, {
      headers: { authorization: `Bearer ${TEST_TOKEN}` },
    });
    const body = (await res.json()) as { series: Record<string, { step: number[]; value: number[] }> };
    assert.equal(body.series.loss!.step.length, 1001, '1000 metric points + the epoch summary');
    assert.deepEqual(body.series.lr, { ...body.series.lr, step: [0, 1], value: [0.1, 0.05] });
    assert.deepEqual(body.series.acc!.value, [0.9]);
  });

  it('keeps a script alive while it awaits flush(), so later reports still arrive', async () => {
    // Nothing but `await s.flush()` keeps this process alive; without a hold the SDK used to close itself on
    // 'beforeExit' and silently drop epoch 2.
    const sdk = JSON.stringify(new URL('./index.ts', import.meta.url).pathname);
    const script = `import { session } from ${sdk};
const s = await session();
s.epoch(1, { loss: 0.5 });
await s.flush();
s.epoch(2, { loss: 0.25 });
await s.flush();
console.log('flushed twice');
await s.close();`;
    const { stdout } = await execFileP(
      process.execPath,
      ['--import', 'tsx', '--input-type=module', '-e', script],
      {
        env: {
          ...process.env,
          SWARMLAB_URL: t.manager.url,
          SWARMLAB_TOKEN: TEST_TOKEN,
          SWARMLAB_SESSION_ID: 'flush-alive',
        },
      },
    );
    assert.match(stdout, /flushed twice/);
    const { series } = await t.manager.services.series.read('flush-alive', { names: ['loss'] });
    assert.deepEqual(series.loss?.step, [1, 2]);
    assert.deepEqual(series.loss?.value, [0.5, 0.25]);
  });

  it('survives dropped connections mid-stream without gap or duplicate', async () => {
    const s = await connect(t, 'flaky', { maxBatchPoints: 500, flushIntervalMs: 5 });
    const n = 20_000;
    for (let step = 0; step < n; step++) {
      s.metric('x', step, step);
      if (step % 1000 === 999) {
        await sleep(2);
        if (step % 4000 === 3999) {
          const before = s.stats.reconnects;
          for (const c of t.manager.server.app.websocketServer.clients) c.terminate();
          while (s.stats.reconnects === before || s.state !== 'open') await sleep(2);
        }
      }
    }
    await s.close();
    assert.ok(s.stats.reconnects >= 4, `reconnects: ${s.stats.reconnects}`);
    assert.equal(s.stats.dropped, 0);
    await assertExactlyOnce(t, 'flaky', 'x', n);
    const connects = (await eventsOf(t, 'flaky')).filter((e) => e.type === 'session.connected');
    assert.ok(connects.slice(1).every((e) => (e.data as { resumed: boolean }).resumed));
  });

  it('keeps reporting across a manager restart on the same data dir and port', async () => {
    const s = await connect(t, 'restart', { maxBatchPoints: 200, flushIntervalMs: 5 });
    for (let step = 0; step < 3000; step++) s.metric('y', step, step);
    await sleep(10);
    const restarting = t.restart();
    for (let step = 3000; step < 6000; step++) {
      s.metric('y', step, step);
      if (step % 500 === 0) await sleep(5);
    }
    await restarting;
    await s.flush();
    for (let step = 6000; step < 7000; step++) s.metric('y', step, step);
    await s.close();
    assert.ok(s.stats.reconnects >= 1);
    await assertExactlyOnce(t, 'restart', 'y', 7000);
  });

  it('delivers a stop request, also to a session that connects later', async () => {
    const s = await connect(t, 'stoppable');
    const reasons: string[] = [];
    const got = new Promise<string>((resolve) => s.onStop(resolve));
    s.onStop((r) => {
      reasons.push(r);
    });
    assert.equal(s.stopRequested, false);
    assert.equal(t.manager.services.channels.requestStop('stoppable', 'preempted'), true);
    assert.equal(await got, 'preempted');
    assert.equal(s.stopRequested, true);
    assert.deepEqual(reasons, ['preempted']);
    await s.close();
    assert.equal(t.manager.services.channels.requestStop('not-connected', 'early'), false);
    const late = await connect(t, 'not-connected');
    assert.equal(await new Promise<string>((resolve) => late.onStop(resolve)), 'early');
    await late.close();
  });

  it('refuses a wrong token and rejects malformed frames without harming the manager', async () => {
    await assert.rejects(connect(t, 'intruder', { token: 'wrong' }), { code: 'UNAUTHORIZED' });
    assert.equal((await rawChannel(t, 'intruder', [], 'wrong')).status, 401);
    const hello = packr.pack({ k: 'hello', v: 1, stream: 'abcdefgh12', sdk: 'raw' });
    const cases: Array<[string, Array<Buffer | string>]> = [
      ['text frame', ['{"k":"hello"}']],
      ['not msgpack', [Buffer.from([0xc1, 0xc1])]],
      ['bad hello', [packr.pack({ k: 'hello', v: 1, stream: 'x' })]],
      ['gap', [hello, packr.pack({ k: 'batch', q: 2 })]],
      [
        'bad points',
        [
          hello,
          packr.pack({
            k: 'batch',
            q: 1,
            m: { n: ['a'], i: Buffer.alloc(2), v: Buffer.alloc(3), s: Buffer.alloc(8), t: Buffer.alloc(8) },
          }),
        ],
      ],
      [
        'bad name index',
        [
          hello,
          packr.pack({
            k: 'batch',
            q: 1,
            m: {
              n: ['a'],
              i: Buffer.from([1, 0]),
              v: Buffer.alloc(8),
              s: Buffer.alloc(8),
              t: Buffer.alloc(8),
            },
          }),
        ],
      ],
      [
        'bad item',
        [hello, packr.pack({ k: 'batch', q: 1, x: [{ k: 'epoch', t: 1, epoch: 'one', metrics: {} }] })],
      ],
    ];
    for (const [name, frames] of cases) {
      const { code, reason } = await rawChannel(t, 'abuser', frames);
      assert.equal(code, 4400, `${name}: closed with ${code} ${reason}`);
      assert.ok(reason.length > 0, name);
    }
    assert.equal((await rawChannel(t, 'bad.id', [hello])).status, 400);
    const health = await fetch(`${t.manager.url}/healthz`);
    assert.equal(health.status, 200);
  });

  it('answers a resent batch with an ack and stores it once', async () => {
    const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true });
    const ws = new WebSocket(`${t.manager.url.replace('http', 'ws')}/api/v1/sessions/resend/channel`, {
      headers: { authorization: `Bearer ${TEST_TOKEN}` },
    });
    const got: unknown[] = [];
    ws.on('message', (d: Buffer) => got.push(unpackr.unpack(d)));
    await new Promise((r) => ws.once('open', r));
    const batch = packr.pack({ k: 'batch', q: 1, x: [{ k: 'log', t: 1, lines: ['once'] }] });
    ws.send(packr.pack({ k: 'hello', v: 1, stream: 'resend-stream', sdk: 'raw' }));
    ws.send(batch);
    ws.send(batch); // while the first is being stored: acknowledged once, when stored
    while (got.length < 2) await sleep(5);
    ws.send(batch); // after: acknowledged again
    while (got.length < 3) await sleep(5);
    ws.close();
    assert.deepEqual(got, [
      { k: 'welcome', acked: 0 },
      { k: 'ack', q: 1 },
      { k: 'ack', q: 1 },
    ]);
    const logs = (await eventsOf(t, 'resend')).filter((e) => e.type === 'session.log');
    assert.equal(logs.length, 1);
  });
});

describe('SDK session client with the sessions registry', { timeout: 60_000 }, () => {
  it('is refused for a session the manager does not know', async () => {
    const t = await testManager();
    try {
      await assert.rejects(connect(t, 'ghost'), { code: 'FORBIDDEN' });
      const { code } = await rawChannel(t, 'ghost', [
        packr.pack({ k: 'hello', v: 1, stream: 'abcdefgh12', sdk: 'raw' }),
      ]);
      assert.equal(code, 4403);
    } finally {
      await t.close();
    }
  });
});

describe('SDK session client on Redis', { timeout: 60_000 }, () => {
  let t: TestManager;
  before(async () => {
    t = await testManager({ redis: true, admission: false });
  });
  after(() => t.close());

  it('stores every point exactly once across a dropped connection', async () => {
    const s: SessionClient = await connect(t, 'redis-ingest', { maxBatchPoints: 1000, flushIntervalMs: 5 });
    for (let step = 0; step < 10_000; step++) {
      s.metric('z', step, step);
      if (step === 5000) {
        await sleep(5);
        for (const c of t.manager.server.app.websocketServer.clients) c.terminate();
      }
    }
    await s.close();
    await assertExactlyOnce(t, 'redis-ingest', 'z', 10_000);
  });
});
