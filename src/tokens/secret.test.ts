// Session tokens: minted per session under the manager token, recognised only for that session and that manager.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hashSecret, newSecret, SessionTokens } from './secret.js';

describe('token secrets', () => {
  it('gives each session its own token, stable across instances of the same key', () => {
    const a = new SessionTokens('manager-token');
    const t = a.mint('s-1');
    assert.equal(a.sessionOf(t), 's-1');
    assert.equal(new SessionTokens('manager-token').sessionOf(t), 's-1', 'a restarted manager accepts it');
    assert.notEqual(a.mint('s-2'), t);
  });

  it('refuses forged, truncated and foreign tokens', () => {
    const a = new SessionTokens('manager-token');
    const t = a.mint('s-1');
    const mac = t.slice(t.lastIndexOf('.') + 1);
    assert.equal(a.sessionOf(`swls.s-2.${mac}`), undefined, 'another session under this MAC');
    assert.equal(a.sessionOf(t.slice(0, -1)), undefined);
    assert.equal(a.sessionOf(`swls..${mac}`), undefined);
    assert.equal(a.sessionOf('manager-token'), undefined);
    assert.equal(new SessionTokens('another-manager').sessionOf(t), undefined);
  });

  it('makes API secrets random and stores only their sha256', () => {
    const s = newSecret();
    assert.match(s, /^swl_[A-Za-z0-9_-]{43}$/);
    assert.notEqual(newSecret(), s);
    assert.match(hashSecret(s), /^[0-9a-f]{64}$/);
    assert.ok(!hashSecret(s).includes(s));
  });
});
