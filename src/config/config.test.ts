import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError } from '../errors/index.js';
import { isLoopback, optionsFromEnv, parseSize, resolveConfig } from './index.js';

describe('config', () => {
  it('fills defaults and lets later layers win without undefined overriding', () => {
    const env = optionsFromEnv({ SWARMLAB_PORT: '8080', SWARMLAB_STORE: 'redis://h:6379/2' });
    const c = resolveConfig(env, { port: undefined, host: '0.0.0.0' });
    assert.equal(c.port, 8080);
    assert.equal(c.host, '0.0.0.0');
    assert.equal(c.store, 'redis://h:6379/2');
    assert.equal(c.bodyLimit, 4 * 1024 ** 3);
    assert.ok(c.dataDir.endsWith('.swarmlab'));
  });

  it('names the field of a bad value', () => {
    assert.throws(
      () => resolveConfig({ store: 'postgres://x' }),
      (e: unknown) => {
        assert.ok(e instanceof ConfigError);
        assert.match(e.message, /^--store:/);
        return true;
      },
    );
    assert.throws(() => resolveConfig({ port: '70000' }), /--port: "70000"/);
    assert.throws(() => resolveConfig({ bodyLimit: 'lots' }), /--body-limit/);
  });

  it('takes the usage interval as a duration, 0 or off to turn sampling off', () => {
    assert.equal(resolveConfig().usageIntervalMs, 5000);
    assert.equal(resolveConfig(optionsFromEnv({ SWARMLAB_USAGE_INTERVAL: '250ms' })).usageIntervalMs, 250);
    assert.equal(resolveConfig({ usageInterval: 'off' }).usageIntervalMs, 0);
    assert.equal(resolveConfig({ usageInterval: '0' }).usageIntervalMs, 0);
    assert.equal(resolveConfig({ usageInterval: 0 }).usageIntervalMs, 0);
    assert.throws(() => resolveConfig({ usageInterval: 'often' }), /^ConfigError: --usage-interval: "often"/);
  });

  it('parses sizes and recognizes loopback addresses', () => {
    assert.equal(parseSize('512MiB', 'x'), 512 * 1024 ** 2);
    assert.equal(parseSize('2k', 'x'), 2048);
    assert.equal(parseSize('100', 'x'), 100);
    assert.ok(isLoopback('127.0.0.1') && isLoopback('::1') && isLoopback('localhost'));
    assert.ok(!isLoopback('0.0.0.0') && !isLoopback('10.1.2.3'));
  });
});
