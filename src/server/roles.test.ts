// Tokens with roles against a real manager on LMDB and on Redis: create, use, revoke; what each role may do; actors.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { CreatedToken, SwarmEvent, TokenList, WhoAmI } from '../api/index.js';
import { safetensors } from '../models/testing/formats.js';
import { type TestManager, testManager } from '../testing/manager.js';

const WEIGHTS = safetensors([{ name: 'w', shape: [2], dtype: 'F32', values: [1, 2] }]);

async function call(
  tm: TestManager,
  token: string | undefined,
  method: string,
  path: string,
  body?: unknown,
) {
  const headers: Record<string, string> = token === undefined ? {} : { authorization: `Bearer ${token}` };
  if (body !== undefined) headers['content-type'] = 'application/json';
  const res = await fetch(`${tm.url}${path}`, {
    method,
    headers,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
  const text = await res.text();
  return { status: res.status, body: text === '' ? {} : JSON.parse(text) };
}

async function saveGeneration(tm: TestManager, token: string, model: string) {
  const res = await fetch(`${tm.url}/api/v1/models/${model}/generations?format=safetensors&type=test/roles`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token}`, 'content-type': 'application/octet-stream' },
    body: WEIGHTS,
  });
  return { status: res.status, body: await res.json() };
}

async function events(tm: TestManager, type: string): Promise<SwarmEvent[]> {
  return (await call(tm, tm.token, 'GET', `/api/v1/events?type=${type}`)).body.events;
}

for (const backend of ['lmdb', 'redis'] as const) {
  describe(`tokens with roles (${backend})`, () => {
    let tm: TestManager;
    const secrets: Record<string, CreatedToken> = {};
    before(async () => {
      tm = await testManager({ redis: backend === 'redis' });
      for (const role of ['read', 'write', 'admin'] as const) {
        const r = await call(tm, tm.token, 'POST', '/api/v1/tokens', { name: `${role}-user`, role });
        assert.equal(r.status, 201, JSON.stringify(r.body));
        secrets[role] = r.body;
      }
    });
    after(() => tm?.close());

    it('creates tokens whose secret is answered once and stored only as a hash', async () => {
      const list = (await call(tm, tm.token, 'GET', '/api/v1/tokens')).body as TokenList;
      assert.deepEqual(
        list.tokens.map((t) => [t.name, t.role, t.createdBy]),
        [
          ['read-user', 'read', 'manager'],
          ['write-user', 'write', 'manager'],
          ['admin-user', 'admin', 'manager'],
        ],
      );
      assert.ok(list.tokens.every((t) => !('token' in t)));
      const stored = JSON.stringify(await tm.manager.store.list('tokens/'));
      for (const t of Object.values(secrets)) {
        assert.ok(t.token.length >= 40);
        assert.ok(!stored.includes(t.token), 'the secret itself is not stored');
      }
      const created = await events(tm, 'token.created');
      assert.deepEqual(
        created.map((e) => e.data),
        list.tokens.map((t) => ({ id: t.id, name: t.name, role: t.role, actor: 'manager' })),
      );
      const dup = await call(tm, tm.token, 'POST', '/api/v1/tokens', { name: 'read-user', role: 'read' });
      assert.equal(dup.status, 409);
      assert.equal(dup.body.error.details.field, 'name');
    });

    it('answers whoami with the role and the actor each token records', async () => {
      const who = async (token: string | undefined) =>
        (await call(tm, token, 'GET', '/api/v1/whoami')).body as WhoAmI;
      assert.deepEqual(await who(tm.token), { role: 'admin', actor: 'manager' });
      assert.deepEqual(await who(secrets.read!.token), {
        role: 'read',
        actor: 'token:read-user',
        name: 'read-user',
      });
      assert.deepEqual(await who(secrets.write!.token), {
        role: 'write',
        actor: 'token:write-user',
        name: 'write-user',
      });
      assert.deepEqual(await who(undefined), { role: 'admin', actor: 'loopback' });
      const wrong = await call(tm, 'swl_not-a-token', 'GET', '/api/v1/whoami');
      assert.equal(wrong.status, 401);
      assert.equal(wrong.body.error.code, 'UNAUTHORIZED');
    });

    it('lets a read token read, not write; a write token write, not manage tokens', async () => {
      const read = secrets.read!.token;
      const write = secrets.write!.token;
      assert.equal((await call(tm, read, 'GET', '/api/v1/sessions')).status, 200);
      const submit = await call(tm, read, 'POST', '/api/v1/sessions', { command: ['true'] });
      assert.equal(submit.status, 403);
      assert.equal(submit.body.error.code, 'FORBIDDEN');
      assert.deepEqual(submit.body.error.details, { header: 'authorization', role: 'read', needed: 'write' });
      assert.equal((await saveGeneration(tm, read, 'roles-m')).status, 403);
      assert.equal((await call(tm, read, 'GET', '/api/v1/tokens')).status, 403);
      const saved = await saveGeneration(tm, write, 'roles-m');
      assert.equal(saved.status, 201, JSON.stringify(saved.body));
      const create = await call(tm, write, 'POST', '/api/v1/tokens', { name: 'x', role: 'admin' });
      assert.equal(create.status, 403);
      assert.equal(create.body.error.details.needed, 'admin');
      const byAdmin = await call(tm, secrets.admin!.token, 'POST', '/api/v1/tokens', {
        name: 'ci',
        role: 'read',
      });
      assert.equal(byAdmin.status, 201);
      assert.equal(byAdmin.body.createdBy, 'token:admin-user');
    });

    it('records the actor on stage changes and deletes', async () => {
      const write = secrets.write!.token;
      await saveGeneration(tm, write, 'roles-a');
      await saveGeneration(tm, write, 'roles-a');
      const staged = await call(tm, write, 'POST', '/api/v1/models/roles-a/generations/1/stage', {
        stage: 'production',
      });
      assert.equal(staged.status, 200, JSON.stringify(staged.body));
      await call(tm, undefined, 'POST', '/api/v1/models/roles-a/generations/2/stage', {
        stage: 'production',
      });
      const history = (await call(tm, tm.token, 'GET', '/api/v1/models/roles-a/history')).body.entries;
      assert.deepEqual(
        history.map((h: { generation: number; to: string; actor: string }) => [h.generation, h.to, h.actor]),
        [
          [1, 'draft', 'token:write-user'],
          [2, 'draft', 'token:write-user'],
          [1, 'production', 'token:write-user'],
          [1, 'archived', 'loopback'],
          [2, 'production', 'loopback'],
        ],
      );
      const promoted = (await events(tm, 'model.promoted')).filter((e) => e.model === 'roles-a');
      assert.deepEqual(
        promoted.map((e) => (e.data as { actor?: string }).actor),
        ['token:write-user', 'loopback', 'loopback'],
      );
      assert.equal((await call(tm, write, 'DELETE', '/api/v1/models/roles-a/generations/1')).status, 200);
      const deleted = (await events(tm, 'generation.deleted')).filter((e) => e.model === 'roles-a');
      assert.deepEqual(
        deleted.map((e) => e.data),
        [{ model: 'roles-a', generation: 1, reason: 'deleted', actor: 'token:write-user' }],
      );
    });

    it('revokes a token at once, recording who did, and keeps it listed as revoked', async () => {
      const t = (
        await call(tm, secrets.admin!.token, 'POST', '/api/v1/tokens', { name: 'temp', role: 'write' })
      ).body as CreatedToken;
      assert.equal((await call(tm, t.token, 'GET', '/api/v1/whoami')).status, 200);
      const revoked = await call(tm, secrets.admin!.token, 'DELETE', `/api/v1/tokens/${t.id}`);
      assert.equal(revoked.status, 200);
      assert.equal(revoked.body.revokedBy, 'token:admin-user');
      const after = await call(tm, t.token, 'GET', '/api/v1/whoami');
      assert.equal(after.status, 401);
      assert.equal(after.body.error.code, 'UNAUTHORIZED');
      const list = (await call(tm, tm.token, 'GET', '/api/v1/tokens')).body as TokenList;
      assert.ok(list.tokens.find((x) => x.id === t.id)?.revokedAt);
      const ev = (await events(tm, 'token.revoked')).map((e) => e.data);
      assert.deepEqual(ev, [{ id: t.id, name: 'temp', role: 'write', actor: 'token:admin-user' }]);
      // A revoked name can be given to a new token; an unknown id is a 404 naming it.
      assert.equal(
        (await call(tm, tm.token, 'POST', '/api/v1/tokens', { name: 'temp', role: 'read' })).status,
        201,
      );
      const unknown = await call(tm, tm.token, 'DELETE', '/api/v1/tokens/nope');
      assert.equal(unknown.status, 404);
      assert.equal(unknown.body.error.details.field, 'id');
      // Still revoked after a restart (nothing cached decides it).
      await tm.restart();
      assert.equal((await call(tm, t.token, 'GET', '/api/v1/whoami')).status, 401);
      assert.equal((await call(tm, secrets.read!.token, 'GET', '/api/v1/whoami')).status, 200);
    });
  });
}

describe('--require-token on loopback', () => {
  let tm: TestManager;
  before(async () => {
    tm = await testManager({ requireToken: true });
  });
  after(() => tm?.close());

  it('refuses requests without a token, reads included, and takes every role', async () => {
    const none = await call(tm, undefined, 'GET', '/api/v1/sessions');
    assert.equal(none.status, 401);
    assert.equal(none.body.error.details.header, 'authorization');
    const read = (await call(tm, tm.token, 'POST', '/api/v1/tokens', { name: 'r', role: 'read' })).body;
    assert.equal((await call(tm, read.token, 'GET', '/api/v1/sessions')).status, 200);
    assert.equal((await call(tm, undefined, 'GET', '/healthz')).status, 200);
  });
});

describe('beyond loopback', () => {
  let tm: TestManager;
  before(async () => {
    tm = await testManager({ host: '0.0.0.0' });
  });
  after(() => tm?.close());

  it('serves reads without a token as anonymous, and asks for a token for writes and admin reads', async () => {
    const url = tm.url.replace('0.0.0.0', '127.0.0.1');
    const get = (path: string) => fetch(`${url}${path}`);
    assert.deepEqual(await (await get('/api/v1/whoami')).json(), { role: 'read', actor: 'anonymous' });
    assert.equal((await get('/api/v1/sessions')).status, 200);
    const tokens = await get('/api/v1/tokens');
    assert.equal(tokens.status, 401);
    assert.match(((await tokens.json()) as { error: { message: string } }).error.message, /admin role/);
    const submit = await fetch(`${url}/api/v1/sessions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ command: ['true'] }),
    });
    assert.equal(submit.status, 401);
  });
});
