import assert from 'node:assert/strict';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import Fastify from 'fastify';
import { installAuth } from '../auth.js';
import { installErrorHandling } from '../errors.js';
import { registerWebRoutes } from './web.js';

async function app(root: string) {
  const a = Fastify();
  installErrorHandling(a);
  installAuth(a, { token: 'secret', requireForReads: true, requireForWrites: true });
  a.get('/api/v1/things', async () => ({ ok: true }));
  await registerWebRoutes(a, { root });
  return a;
}

describe('dashboard static files', () => {
  const dirs: string[] = [];
  after(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });
  const built = async () => {
    const root = await mkdtemp(join(tmpdir(), 'swarmlab-webroot-'));
    dirs.push(root);
    await mkdir(join(root, 'assets'));
    await writeFile(join(root, 'index.html'), '<!doctype html><div id="app"></div>');
    await writeFile(join(root, 'assets/index-abc123.js'), 'console.log(1)');
    return root;
  };

  it('serves index.html for client routes and hashed assets with a long cache, without the token', async () => {
    const a = await app(await built());
    for (const path of ['/', '/sessions', '/sessions/s-1', '/datasets/fashion?v=2']) {
      const res = await a.inject({ url: path });
      assert.equal(res.statusCode, 200, path);
      assert.match(res.headers['content-type'] as string, /text\/html/);
      assert.match(res.body, /id="app"/);
      assert.equal(res.headers['cache-control'], 'no-cache');
    }
    const js = await a.inject({ url: '/assets/index-abc123.js' });
    assert.equal(js.statusCode, 200);
    assert.match(js.headers['content-type'] as string, /javascript/);
    assert.match(js.headers['cache-control'] as string, /max-age=31536000.*immutable/);
  });

  it('leaves API, metrics and missing assets to the JSON 404 and the API to auth', async () => {
    const a = await app(await built());
    const missing = await a.inject({ url: '/api/v1/nothing' });
    assert.equal(missing.statusCode, 404);
    assert.equal(missing.json().error.code, 'NOT_FOUND');
    assert.equal((await a.inject({ url: '/v1/models/x:predict' })).statusCode, 404);
    assert.equal((await a.inject({ url: '/assets/gone-123.js' })).statusCode, 404);
    assert.equal((await a.inject({ url: '/api/v1/things' })).statusCode, 401);
    assert.equal((await a.inject({ url: '/%2e%2e/%2e%2e/etc/passwd' })).body.includes('root:'), false);
  });

  it('says how to build the dashboard when web/dist is missing', async () => {
    const a = await app(join(tmpdir(), 'swarmlab-no-such-dir'));
    const res = await a.inject({ url: '/sessions' });
    assert.equal(res.statusCode, 200);
    assert.match(res.body, /npm run build/);
  });
});
