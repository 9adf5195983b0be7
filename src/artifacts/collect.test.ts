import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type CollectLimits, outputFiles, type Skipped } from './collect.js';

const roomy: CollectLimits = { maxFiles: 100, maxTotalBytes: 1 << 20, maxFileBytes: 1 << 20 };

async function collect(dir: string, limits = roomy) {
  const skipped: Skipped[] = [];
  const kept: [string, number][] = [];
  for await (const f of outputFiles(dir, limits, skipped)) {
    kept.push([f.path, f.size]);
    await f.handle.close();
  }
  return { kept, skipped: skipped.map((s) => [s.path, s.reason]) };
}

describe('output dir walk', () => {
  let dir: string;
  let outside: string;

  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'swarmlab-collect-'));
    outside = await mkdtemp(join(tmpdir(), 'swarmlab-outside-'));
    await writeFile(join(outside, 'secret.txt'), 'not yours');
    await mkdir(join(dir, 'b/c'), { recursive: true });
    await writeFile(join(dir, 'a.txt'), 'aaaa');
    await writeFile(join(dir, 'b/c/d.bin'), Buffer.alloc(10));
    await writeFile(join(dir, 'b/e.txt'), 'ee');
    await writeFile(join(dir, 'back\\slash.txt'), 'x');
    await symlink(join(outside, 'secret.txt'), join(dir, 'link.txt'));
    await symlink(outside, join(dir, 'linked-dir'));
    execFileSync('mkfifo', [join(dir, 'pipe')]);
  });
  after(async () => {
    await rm(dir, { recursive: true, force: true });
    await rm(outside, { recursive: true, force: true });
  });

  it('keeps regular files in path order and never follows a symlink or opens a FIFO', async () => {
    const { kept, skipped } = await collect(dir);
    assert.deepEqual(kept, [
      ['a.txt', 4],
      ['b/c/d.bin', 10],
      ['b/e.txt', 2],
    ]);
    assert.deepEqual(skipped.map(([p]) => p).sort(), ['back\\slash.txt', 'link.txt', 'linked-dir', 'pipe']);
    assert.match(String(skipped.find(([p]) => p === 'link.txt')![1]), /symbolic link/);
  });

  it('stops at the file count, the total and the per-file size, saying which limit', async () => {
    const byCount = await collect(dir, { ...roomy, maxFiles: 2 });
    assert.deepEqual(
      byCount.kept.map(([p]) => p),
      ['a.txt', 'b/c/d.bin'],
    );
    assert.deepEqual(
      byCount.skipped.find(([p]) => p === 'b/e.txt'),
      ['b/e.txt', 'over the 2-file limit'],
    );
    const byTotal = await collect(dir, { ...roomy, maxTotalBytes: 12 });
    assert.deepEqual(
      byTotal.kept.map(([p]) => p),
      ['a.txt', 'b/e.txt'],
    );
    const bySize = await collect(dir, { ...roomy, maxFileBytes: 5 });
    assert.deepEqual(
      bySize.kept.map(([p]) => p),
      ['a.txt', 'b/e.txt'],
    );
    assert.match(String(bySize.skipped.find(([p]) => p === 'b/c/d.bin')![1]), /5-byte file limit/);
  });

  it('yields nothing for a session that never created its output dir', async () => {
    assert.deepEqual(await collect(join(dir, 'absent')), { kept: [], skipped: [] });
  });
});
