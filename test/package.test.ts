// What `npm pack` ships: every `exports` target exists once built, and no test code is in dist.
import assert from 'node:assert/strict';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';

const root = new URL('..', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {
  exports: Record<string, string | Record<string, string>>;
  bin: Record<string, string>;
};

/** Every file path an `exports` entry or `bin` names. */
const targets = (): string[] => [
  ...Object.values(pkg.exports).flatMap((t) => (typeof t === 'string' ? [t] : Object.values(t))),
  ...Object.values(pkg.bin),
];

describe('package', () => {
  it('exports and bin name only files that exist (after npm run build)', () => {
    for (const target of targets()) assert.ok(existsSync(join(root, target)), `${target} does not exist`);
  });

  it('dist holds no tests and no test helpers', () => {
    const shipped = readdirSync(join(root, 'dist'), { recursive: true }).map(String);
    assert.deepEqual(
      shipped.filter((f) => /(^|\/)testing(\/|\.)|\.test\./.test(f)),
      [],
    );
  });
});
