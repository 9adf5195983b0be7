import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ConflictError } from '../errors/index.js';
import { EventArchive } from '../events/index.js';
import { openLmdbStore, type Store, type TxOp } from '../store/index.js';
import { newSessionId } from './ids.js';
import { SessionRepo, sessionKey } from './repo.js';
import { canTransition, SESSION_STATES } from './states.js';
import type { SessionRecord } from './types.js';

const record = (id: string, createdAt: number, state: SessionRecord['state'] = 'queued'): SessionRecord => ({
  id,
  name: 'n',
  command: ['true'],
  shell: false,
  params: {},
  cwd: '/',
  env: {},
  resources: { cpus: 1, memoryMb: 1, gpus: 0, gpuMemoryFraction: 1 },
  priority: 0,
  pool: 'training',
  labels: {},
  state,
  createdAt,
  exitCode: null,
  signal: null,
});

describe('session repo and state machine', () => {
  let dir: string;
  let store: Store;
  let repo: SessionRepo;
  let events: EventArchive;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'swarmlab-repo-'));
    store = await openLmdbStore({ path: dir });
    events = new EventArchive(store);
    repo = new SessionRepo(store, events);
  });
  after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('allows only the documented transitions', () => {
    assert.ok(canTransition('queued', 'placed'));
    assert.ok(canTransition('running', 'lost'));
    assert.ok(!canTransition('queued', 'running'));
    assert.ok(!canTransition('queued', 'lost'));
    for (const s of ['succeeded', 'failed', 'stopped', 'rejected', 'lost'] as const)
      for (const t of SESSION_STATES) assert.ok(!canTransition(s, t), `${s} → ${t}`);
  });

  it('writes the state change and its event together, and refuses an illegal one', async () => {
    const id = newSessionId();
    await repo.create(record(id, Date.now()), {
      type: 'session.submitted',
      sessionId: id,
      data: { name: 'n', priority: 0, pool: 'training' },
    });
    const before = await events.lastCursor();
    await assert.rejects(
      repo.transition(
        id,
        'succeeded',
        () => ({}),
        () => ({
          type: 'session.exited',
          sessionId: id,
          data: { state: 'succeeded', exitCode: 0, signal: null },
        }),
      ),
      (e: unknown) => e instanceof ConflictError && e.details.from === 'queued',
    );
    assert.equal(await events.lastCursor(), before, 'no event for a refused transition');
    const placed = await repo.transition(
      id,
      'placed',
      () => ({ placedAt: 1 }),
      () => ({ type: 'session.placed', sessionId: id, data: { node: 'x', gpus: [], cpus: 1, memoryMb: 1 } }),
    );
    assert.equal(placed.state, 'placed');
    assert.equal(await events.lastCursor(), before + 1);
    assert.equal((await repo.list({ state: 'placed' })).sessions[0]!.id, id);
    assert.equal((await repo.list({ state: 'queued' })).total, 0);
  });

  it('pages through 10,000 sessions by time and by state', async () => {
    const t0 = 1_700_000_000_000;
    for (let chunk = 0; chunk < 10; chunk++) {
      const ops: TxOp[] = [];
      for (let i = chunk * 1000; i < (chunk + 1) * 1000; i++) {
        const r = record(newSessionId(t0 + i), t0 + i, i % 10 === 0 ? 'failed' : 'succeeded');
        ops.push({ op: 'put', key: sessionKey(r.id), value: r });
        ops.push({ op: 'indexAdd', index: 'sessions.created', member: r.id, score: r.createdAt });
        ops.push({ op: 'indexAdd', index: `sessions.state.${r.state}`, member: r.id, score: r.createdAt });
      }
      await store.commit(ops);
    }
    const last = await repo.list({ state: 'succeeded', limit: 100, offset: 8900 });
    assert.equal(last.total, 9000);
    assert.equal(last.sessions.length, 100);
    assert.equal(last.sessions.at(-1)!.createdAt, t0 + 1);
    const failed = await repo.list({ state: 'failed', limit: 1000 });
    assert.equal(failed.sessions.length, 1000);
    assert.ok(failed.sessions.every((s, i) => i === 0 || s.createdAt < failed.sessions[i - 1]!.createdAt));
    assert.equal((await repo.list({ limit: 1 })).total, 10_001);
  });
});
