import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pino } from 'pino';
import { InvalidError } from '../errors/index.js';
import { EventArchive, EventHub } from '../events/index.js';
import { openLmdbStore, type Store } from '../store/index.js';
import { buildServer, type Server, type Services } from './index.js';

describe('server', () => {
  let dir: string;
  let store: Store;
  const servers: Server[] = [];

  const make = async (opts: { exposed: boolean; requireToken: boolean }) => {
    const events = new EventArchive(store);
    const services: Services = {
      store,
      logger: pino({ level: 'silent' }),
      events,
      hub: new EventHub(store, events),
      token: 'sekret-token',
      publicUrl: () => 'http://127.0.0.1:0',
    };
    const server = await buildServer({ services, bodyLimit: 1024, ...opts });
    server.app.post('/api/v1/echo', async (req) => req.body);
    server.app.get('/api/v1/bad', async () => {
      throw new InvalidError('line 3: label "x" is not a number', { details: { line: 3, field: 'label' } });
    });
    servers.push(server);
    return server.app;
  };

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'swarmlab-server-'));
    store = await openLmdbStore({ path: dir });
  });
  after(async () => {
    for (const s of servers) await s.app.close();
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('maps typed errors to a status and {error: {code, message, details}}', async () => {
    const app = await make({ exposed: false, requireToken: false });
    const res = await app.inject({ method: 'GET', url: '/api/v1/bad' });
    assert.equal(res.statusCode, 400);
    assert.deepEqual(res.json(), {
      error: {
        code: 'INVALID',
        message: 'line 3: label "x" is not a number',
        details: { line: 3, field: 'label' },
      },
    });
    const missing = await app.inject({ method: 'GET', url: '/api/v1/nothing-here' });
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().error.code, 'NOT_FOUND');
  });

  it('answers 413 TOO_LARGE past the body limit', async () => {
    const app = await make({ exposed: false, requireToken: false });
    const res = await app.inject({
      method: 'POST',
      url: '/api/v1/echo',
      headers: { 'content-type': 'application/json' },
      payload: JSON.stringify({ pad: 'x'.repeat(4096) }),
    });
    assert.equal(res.statusCode, 413);
    assert.equal(res.json().error.code, 'TOO_LARGE');
  });

  it('on loopback, allows writes without a token but refuses a wrong one', async () => {
    const app = await make({ exposed: false, requireToken: false });
    const ok = await app.inject({ method: 'POST', url: '/api/v1/echo', payload: { a: 1 } });
    assert.equal(ok.statusCode, 200);
    const wrong = await app.inject({
      method: 'POST',
      url: '/api/v1/echo',
      payload: { a: 1 },
      headers: { authorization: 'Bearer nope' },
    });
    assert.equal(wrong.statusCode, 401);
    assert.equal(wrong.json().error.code, 'UNAUTHORIZED');
  });

  it('beyond loopback, refuses unauthenticated writes but serves reads and health', async () => {
    const app = await make({ exposed: true, requireToken: false });
    const write = await app.inject({ method: 'POST', url: '/api/v1/echo', payload: { a: 1 } });
    assert.equal(write.statusCode, 401);
    const authed = await app.inject({
      method: 'POST',
      url: '/api/v1/echo',
      payload: { a: 1 },
      headers: { authorization: 'Bearer sekret-token' },
    });
    assert.equal(authed.statusCode, 200);
    assert.deepEqual(authed.json(), { a: 1 });
    assert.equal((await app.inject({ method: 'GET', url: '/healthz' })).statusCode, 200);
  });

  it('with requireToken, refuses reads without the token except health and metrics', async () => {
    const app = await make({ exposed: false, requireToken: true });
    assert.equal((await app.inject({ method: 'GET', url: '/api/v1/bad' })).statusCode, 401);
    assert.equal((await app.inject({ method: 'GET', url: '/metrics' })).statusCode, 200);
    const withToken = await app.inject({
      method: 'GET',
      url: '/api/v1/bad?token=sekret-token',
    });
    assert.equal(withToken.statusCode, 400);
  });
});
