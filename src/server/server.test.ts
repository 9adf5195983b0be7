// The HTTP layer's promises, through a real manager and its real routes: error shape, body limit, auth.
import assert from 'node:assert/strict';
import { after, describe, it } from 'node:test';
import type { Manager } from '../app.js';
import { type TestManager, type TestManagerOptions, testManager } from '../testing/manager.js';

const TOKEN = 'sekret-token';

describe('server', () => {
  const running: TestManager[] = [];

  const start = async (options: TestManagerOptions) => {
    const t = await testManager({ token: TOKEN, ...options });
    running.push(t);
    return t.manager;
  };

  after(async () => {
    for (const t of running) await t.close();
  });

  const call = (m: Manager, method: string, path: string, body?: unknown, token?: string) =>
    fetch(`${m.url.replace('0.0.0.0', '127.0.0.1')}${path}`, {
      method,
      headers: {
        ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });

  it('maps typed errors to a status and {error: {code, message, details}}', async () => {
    const m = await start({});
    const bad = await call(m, 'POST', '/api/v1/sessions', { command: [], resources: { cpus: -1 } });
    assert.equal(bad.status, 400);
    const body = (await bad.json()) as {
      error: { code: string; message: string; details: { field: string } };
    };
    assert.equal(body.error.code, 'INVALID');
    assert.equal(body.error.details.field, 'command');
    assert.match(body.error.message, /^command: /);
    const missing = await call(m, 'GET', '/api/v1/nothing-here');
    assert.equal(missing.status, 404);
    assert.equal(((await missing.json()) as { error: { code: string } }).error.code, 'NOT_FOUND');
  });

  it('answers 413 TOO_LARGE past the body limit', async () => {
    const m = await start({ bodyLimit: '1k' });
    const res = await call(m, 'POST', '/api/v1/sessions', { command: ['true'], name: 'x'.repeat(4096) });
    assert.equal(res.status, 413);
    assert.equal(((await res.json()) as { error: { code: string } }).error.code, 'TOO_LARGE');
  });

  it('on loopback, allows writes without a token but refuses a wrong one', async () => {
    const m = await start({});
    const ok = await call(m, 'POST', '/api/v1/sessions/none/stop', {});
    assert.notEqual(ok.status, 401);
    const wrong = await call(m, 'GET', '/api/v1/sessions', undefined, 'nope');
    assert.equal(wrong.status, 401);
    assert.equal(((await wrong.json()) as { error: { code: string } }).error.code, 'UNAUTHORIZED');
  });

  it('beyond loopback, refuses unauthenticated writes but serves reads and health', async () => {
    const m = await start({ host: '0.0.0.0' });
    const write = await call(m, 'POST', '/api/v1/sessions', { command: ['true'] });
    assert.equal(write.status, 401);
    assert.equal((await call(m, 'GET', '/api/v1/sessions')).status, 200);
    assert.equal((await call(m, 'GET', '/healthz')).status, 200);
    const authed = await call(m, 'POST', '/api/v1/sessions/none/stop', {}, TOKEN);
    assert.equal(authed.status, 404);
  });

  it('with requireToken, refuses reads without the token except health and metrics', async () => {
    const m = await start({ requireToken: true });
    assert.equal((await call(m, 'GET', '/api/v1/sessions')).status, 401);
    assert.equal((await call(m, 'GET', '/metrics')).status, 200);
    assert.equal((await call(m, 'GET', `/api/v1/sessions?token=${TOKEN}`)).status, 200);
  });

  it('holds inference POSTs (which skip the router) to the same token rules and body limit', async () => {
    const predict = '/v1/models/nosuch:predict';
    const body = { instances: [[1, 2]] };
    // Beyond loopback, inference is a read: no token needed (404: the model does not exist).
    const exposed = await start({ host: '0.0.0.0', bodyLimit: '1k' });
    assert.equal((await call(exposed, 'POST', predict, body)).status, 404);
    assert.equal((await call(exposed, 'POST', predict, body, 'nope')).status, 401);
    const big = await call(exposed, 'POST', predict, { instances: [Array(2048).fill(1)] });
    assert.equal(big.status, 413);
    assert.equal(((await big.json()) as { error: { code: string } }).error.code, 'TOO_LARGE');
    // A chunked body (no content-length) is counted as it arrives.
    const chunked = await fetch(`${exposed.url.replace('0.0.0.0', '127.0.0.1')}/v2/models/nosuch/infer`, {
      method: 'POST',
      body: new ReadableStream({
        start(controller) {
          for (let i = 0; i < 8; i++) controller.enqueue(new Uint8Array(512).fill(32));
          controller.close();
        },
      }),
      duplex: 'half',
    } as RequestInit);
    assert.equal(chunked.status, 413);
    const strict = await start({ requireToken: true });
    const refused = await call(strict, 'POST', '/v2/models/nosuch/infer', { inputs: [] });
    assert.equal(refused.status, 401);
    assert.equal(((await refused.json()) as { error: { code: string } }).error.code, 'UNAUTHORIZED');
    assert.equal((await call(strict, 'POST', predict, body, TOKEN)).status, 404);
    assert.equal((await call(strict, 'POST', `${predict}?token=${TOKEN}`, body)).status, 404);
  });
});
