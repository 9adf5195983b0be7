// `swarmlab token create|ls|revoke` and `swarmlab whoami` as child processes against a real manager.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { swarmlab } from '../../testing/cli.js';
import { type TestManager, testManager } from '../../testing/manager.js';

describe('swarmlab token', () => {
  let t: TestManager;
  before(async () => {
    t = await testManager();
  });
  after(() => t?.close());

  it('creates a token that works with its role, lists it, and revokes it', async () => {
    const created = await swarmlab(t.manager, ['token', 'create', '--role', 'read', '--name', 'alice']);
    assert.equal(created.code, 0, created.stderr);
    const secret = created.stdout.trim();
    assert.match(secret, /^swl_[A-Za-z0-9_-]{40,}$/);
    assert.match(created.stderr, /\(alice, read\)/);

    const who = await fetch(`${t.url}/api/v1/whoami`, { headers: { authorization: `Bearer ${secret}` } });
    assert.deepEqual(await who.json(), { role: 'read', actor: 'token:alice', name: 'alice' });

    const ls = await swarmlab(t.manager, ['token', 'ls']);
    assert.equal(ls.code, 0, ls.stderr);
    const [head, row] = ls.stdout.trim().split('\n');
    assert.match(head!, /^ID\s+NAME\s+ROLE\s+CREATED\s+BY\s+REVOKED/);
    assert.deepEqual(row!.split(/\s+/).slice(1, 3).concat(row!.split(/\s+/).slice(4)), [
      'alice',
      'read',
      'manager',
      '-',
    ]);

    const revoked = await swarmlab(t.manager, ['token', 'revoke', 'alice']);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.match(revoked.stdout, /alice revoked/);
    const after = await fetch(`${t.url}/api/v1/whoami`, { headers: { authorization: `Bearer ${secret}` } });
    assert.equal(after.status, 401);

    const me = await swarmlab(t.manager, ['whoami']);
    assert.equal(me.stdout.trim(), 'manager (admin)');
  });

  it('refuses an unknown role naming the flag', async () => {
    const r = await swarmlab(t.manager, ['token', 'create', '--role', 'root', '--name', 'x']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /--role: "root" is not read, write, admin/);
  });
});
