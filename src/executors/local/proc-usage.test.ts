import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { test } from 'node:test';
import { groupUsage } from './proc-usage.js';

/** A detached group (its own pgid): a shell whose child burns CPU holding ~60 MiB, and an idle sibling. */
function startGroup() {
  const burn = `const a = Buffer.alloc(60 << 20, 1); const end = Date.now() + 60000; while (Date.now() < end) a[0]++;`;
  return spawn('sh', ['-c', `${JSON.stringify(process.execPath)} -e '${burn}' & sleep 60 & wait`], {
    detached: true,
    stdio: 'ignore',
  });
}

test('sums CPU time and resident memory over every process of a group, from /proc', async () => {
  const child = startGroup();
  const pgid = child.pid!;
  try {
    let first: { cpuSeconds: number; rssMb: number } | undefined;
    const deadline = Date.now() + 60_000;
    // Waits until the burner holds its buffer, then for CPU time to grow (slowly, on a loaded machine).
    for (;;) {
      const u = groupUsage([pgid, 999_999_999]);
      assert.equal(u.has(999_999_999), false, 'a group with no process has no usage');
      const g = u.get(pgid);
      if (g && g.rssMb >= 60) {
        if (!first) first = g;
        else if (g.cpuSeconds >= first.cpuSeconds + 0.05) break;
      }
      if (Date.now() > deadline)
        throw new Error(`no growth: ${JSON.stringify(g)} from ${JSON.stringify(first)}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } finally {
    process.kill(-pgid, 'SIGKILL');
  }
});
