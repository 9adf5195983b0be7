/** The manager as a real process, killed with SIGKILL mid-session and restarted on the same data dir. */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { SwarmEvent } from '../events/index.js';
import { SwarmlabClient } from '../sdk/index.js';
import { spawnManager } from '../testing/manager-process.js';
import { waitForSession } from '../testing/sessions.js';
import type { LogPage, SessionRecord } from './types.js';

const ENDED = ['succeeded', 'failed', 'stopped', 'rejected', 'lost'];

const freePort = () =>
  new Promise<number>((res) => {
    const s = createServer().listen(0, '127.0.0.1', () => {
      const { port } = s.address() as { port: number };
      s.close(() => res(port));
    });
  });

const startManager = async (args: string[]): Promise<ChildProcess> => (await spawnManager(args)).child;

describe('manager killed with SIGKILL and restarted', () => {
  let dir: string;
  let args: string[];
  let manager: ChildProcess | undefined;
  let client: SwarmlabClient;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'swarmlab-kill-'));
    const nodes = {
      nodes: [
        {
          name: 'fake-gpu',
          capacity: {
            cpus: 4,
            memoryMb: 8000,
            gpus: [0, 1, 2, 3].map((index) => ({ index, name: 'F', memoryMb: 8000 })),
          },
        },
      ],
    };
    await writeFile(join(dir, 'nodes.json'), JSON.stringify(nodes));
    const port = await freePort();
    args = ['--data-dir', dir, '--port', String(port), '--nodes', join(dir, 'nodes.json'), '--no-local-node'];
    args.push('--stop-grace', '2s');
    client = new SwarmlabClient({ url: `http://127.0.0.1:${port}`, token: 'kill-test-token' });
    args.push('--token', 'kill-test-token');
  });
  after(async () => {
    manager?.kill('SIGKILL');
    await rm(dir, { recursive: true, force: true });
  });

  const get = (id: string) => client.json<SessionRecord>('GET', `/api/v1/sessions/${id}`);
  const waitFor = (id: string, pred: (s: SessionRecord) => boolean) => waitForSession(client, id, pred);

  it('leaves every session in a truthful state and the archive without a gap', async () => {
    manager = await startManager(args);
    const submit = (command: string, extra: object = {}) =>
      client.json<SessionRecord>('POST', '/api/v1/sessions', {
        body: { command: [process.execPath, '-e', command], ...extra },
      });
    const finishing = await submit(
      'console.log("start"); setTimeout(() => { console.log("end"); process.exit(7) }, 1500)',
      { resources: { gpus: 4 } },
    );
    const longRunning = await submit('setInterval(() => {}, 1000)');
    const queued = await submit('console.log("after the restart")', { resources: { gpus: 1 } });
    await waitFor(finishing.id, (s) => s.state === 'running');
    await waitFor(longRunning.id, (s) => s.state === 'running');
    assert.equal((await get(queued.id)).state, 'queued');

    manager.kill('SIGKILL');
    await new Promise((r) => manager!.once('exit', r));
    manager = await startManager(args);

    const a = await waitFor(finishing.id, (s) => ENDED.includes(s.state));
    assert.equal(a.state, 'failed');
    assert.equal(a.exitCode, 7);
    const logs = await client.json<LogPage>('GET', `/api/v1/sessions/${finishing.id}/logs`);
    assert.deepEqual(
      logs.lines.map((l) => l.line),
      ['start', 'end'],
    );
    const q = await waitFor(queued.id, (s) => ENDED.includes(s.state));
    assert.equal(q.state, 'succeeded');
    assert.equal((await get(longRunning.id)).state, 'running');
    await client.json('POST', `/api/v1/sessions/${longRunning.id}/stop`, { body: {} });
    const b = await waitFor(longRunning.id, (s) => ENDED.includes(s.state));
    assert.equal(b.state, 'stopped');

    const { events } = await client.json<{ events: SwarmEvent[] }>('GET', '/api/v1/events', {
      query: { after: 0, limit: 5000 },
    });
    for (let i = 1; i < events.length; i++) assert.ok(events[i]!.cursor > events[i - 1]!.cursor);
    assert.deepEqual(
      events.map((e) => e.cursor),
      events.map((_, i) => events[0]!.cursor + i),
      'cursors are contiguous',
    );
    for (const s of [finishing, longRunning, queued]) {
      const types: string[] = events.filter((e) => e.sessionId === s.id).map((e) => e.type);
      for (const t of [
        'session.submitted',
        'session.placed',
        'session.starting',
        'session.started',
        'session.exited',
      ])
        assert.ok(types.includes(t), `${s.id} has ${t}`);
      assert.equal(types.filter((t) => t === 'session.exited').length, 1);
    }
    manager.kill('SIGTERM');
    await new Promise((r) => manager!.once('exit', r));
    manager = undefined;
  });
});
