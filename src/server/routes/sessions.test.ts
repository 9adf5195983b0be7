import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { Manager } from '../../app.js';
import { InvalidError } from '../../errors/index.js';
import type { SwarmlabClient } from '../../sdk/index.js';
import type { LogPage, SessionPage, SessionRecord } from '../../sessions/index.js';
import { type TestManager, testManager } from '../../testing/manager.js';

const nodes = {
  nodes: [
    {
      name: 'gpu-box',
      pool: 'training',
      capacity: {
        cpus: 8,
        memoryMb: 16000,
        gpus: [0, 1, 2, 3].map((index) => ({ index, name: 'FakeGPU', memoryMb: 16000 })),
      },
    },
  ],
};

describe('session HTTP API', () => {
  let t: TestManager;
  let manager: Manager;
  let client: SwarmlabClient;

  before(async () => {
    t = await testManager({ nodes, localNode: false });
    ({ manager, client } = t);
  });
  after(() => t?.close());

  const waitEnded = async (id: string): Promise<SessionRecord> => {
    for (;;) {
      const s = await client.json<SessionRecord>('GET', `/api/v1/sessions/${id}`);
      if (['succeeded', 'failed', 'stopped', 'rejected', 'lost'].includes(s.state)) return s;
      await new Promise((r) => setTimeout(r, 30));
    }
  };

  it('submits, gets, lists and reads logs', async () => {
    const s = await client.json<SessionRecord>('POST', '/api/v1/sessions', {
      body: { command: [process.execPath, '-e', 'console.log(process.env.SWARMLAB_URL)'], name: 'hello' },
    });
    assert.equal(s.state, 'queued');
    const done = await waitEnded(s.id);
    assert.equal(done.state, 'succeeded');
    const logs = await client.json<LogPage>('GET', `/api/v1/sessions/${s.id}/logs`, { query: { tail: 10 } });
    assert.deepEqual(
      logs.lines.map((l) => l.line),
      [manager.url],
    );
    const page = await client.json<SessionPage>('GET', '/api/v1/sessions', {
      query: { state: 'succeeded', limit: 1 },
    });
    assert.equal(page.sessions[0]!.id, s.id);
    assert.equal(page.total, 1);
  });

  it('answers 400 naming the field for bad input', async () => {
    const field = async (body: unknown) => {
      const err = await client.json('POST', '/api/v1/sessions', { body }).then(
        () => assert.fail('accepted'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof InvalidError, String(err));
      assert.equal(err.details.status, 400);
      return err.details.field;
    };
    const cmd = ['true'];
    assert.equal(await field({ command: [] }), 'command');
    assert.equal(await field({ command: [''] }), 'command.0');
    assert.equal(await field({ command: cmd, resources: { cpus: -2 } }), 'resources.cpus');
    assert.equal(await field({ command: cmd, resources: { gpus: 1.5 } }), 'resources.gpus');
    assert.equal(await field({ command: cmd, resources: { gpus: 9 } }), 'resources.gpus');
    assert.equal(await field({ command: cmd, pool: 'production' }), 'pool');
    assert.equal(await field({ command: cmd, dataset: 'nope@1' }), 'dataset');
    assert.equal(await field({ command: cmd, bogus: 1 }), 'bogus');
    assert.equal(await field({ command: cmd, image: 'Bad Image!' }), 'image');
    // A well-formed image on a manager without the Docker executor: refused, naming the flag to use.
    assert.equal(await field({ command: cmd, image: 'busybox:1' }), 'image');
    const q = await client
      .json('GET', '/api/v1/sessions', { query: { state: 'nope' } })
      .catch((e: unknown) => e);
    assert.ok(q instanceof InvalidError);
    const missing = await client.json('GET', '/api/v1/sessions/s-000000000000000').catch((e: unknown) => e);
    assert.equal((missing as InvalidError).details.status, 404);
  });

  it('stops a running session and shows nodes with their allocation', async () => {
    const s = await client.json<SessionRecord>('POST', '/api/v1/sessions', {
      body: { command: [process.execPath, '-e', 'setTimeout(() => {}, 30000)'], resources: { gpus: 2 } },
    });
    for (;;) {
      const cur = await client.json<SessionRecord>('GET', `/api/v1/sessions/${s.id}`);
      if (cur.state === 'running') break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const { nodes: list } = await client.json<{
      nodes: { name: string; free: { gpus: number }; sessions: string[] }[];
    }>('GET', '/api/v1/nodes');
    assert.equal(list[0]!.name, 'gpu-box');
    assert.equal(list[0]!.free.gpus, 2);
    assert.deepEqual(list[0]!.sessions, [s.id]);
    const res = await client.fetch('POST', `/api/v1/sessions/${s.id}/stop`, { body: { reason: 'test' } });
    assert.equal(res.status, 202);
    const done = await waitEnded(s.id);
    assert.equal(done.state, 'stopped');
    assert.equal(done.reason, 'test');
  });
});
