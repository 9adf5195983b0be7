/** Real processes in real cgroups: memory over the grant ends in the OOM killer, CPU is held to the grant. */
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { after, before, describe, it } from 'node:test';
import { detectCgroups } from '../executors/index.js';
import { sessionDir } from './exec-spec.js';
import { type Harness, harness, nodeScript } from './testing/harness.js';
import type { SessionRecord } from './types.js';

const detection = await detectCgroups();
const { cgroups } = detection;
const skip = detection.cgroups === undefined ? `no usable cgroups here: ${detection.reason}` : false;

/** Fills `mb` MiB with touched pages (Buffer.fill), so all of it is charged to the session's memory cgroup. */
const allocate = (mb: number) =>
  nodeScript(
    `const a = []; for (let i = 0; i < ${mb}; i++) a.push(Buffer.alloc(1 << 20, 1)); console.log('kept')`,
  );

describe('local sessions held to their grant by cgroups', { skip }, () => {
  let h: Harness;
  before(async () => {
    h = await harness();
  });
  after(() => h.close());

  const assertRemoved = (r: SessionRecord) => {
    for (const d of cgroups!.dirs({ sessionId: r.id, dir: sessionDir(h.dir, r.id) }))
      assert.equal(existsSync(d), false, `${d} was left behind`);
  };

  it('ends a session over its memory grant by the OOM killer, recorded as such', async () => {
    const s = await h.manager.submit({ command: allocate(300), resources: { memoryMb: 128 } });
    const r = await h.waitFor(s.id);
    assert.equal(r.state, 'failed');
    assert.equal(r.signal, 'SIGKILL');
    assert.equal(r.oomKilled, true);
    assert.equal(r.reason, 'killed by the OOM killer (memory limit 128 MB)');
    assert.equal(r.handle?.isolation, cgroups!.kind);
    assert.ok(r.usage, 'usage recorded');
    if (r.usage.peakMemoryMb !== undefined)
      assert.ok(r.usage.peakMemoryMb <= 128.5, `peak ${r.usage.peakMemoryMb}`);
    const exited = (await h.eventsOf(s.id)).find((e) => e.type === 'session.exited');
    assert.equal((exited?.data as { oomKilled?: boolean } | undefined)?.oomKilled, true);
    assertRemoved(r);
  });

  it('lets a session within its grant succeed, and measures its peak', async () => {
    const s = await h.manager.submit({ command: allocate(100), resources: { memoryMb: 256 } });
    const r = await h.waitFor(s.id);
    assert.equal(r.state, 'succeeded');
    assert.equal(r.oomKilled, undefined);
    const peak = r.usage?.peakMemoryMb;
    if (peak !== undefined) assert.ok(peak > 100 && peak <= 256, `peak ${peak}`);
    assertRemoved(r);
  });

  it('holds a CPU-bound session to its CPUs: two busy threads under half a CPU use about half a CPU', async () => {
    const s = await h.manager.submit({
      command: ['sh', '-c', 'timeout 2 yes > /dev/null & timeout 2 yes > /dev/null & wait'],
      resources: { cpus: 0.5 },
    });
    const r = await h.waitFor(s.id);
    assert.equal(r.state, 'succeeded', r.reason);
    const wall = (r.endedAt! - r.startedAt!) / 1000;
    const share = r.usage!.cpuSeconds / wall;
    console.log(
      `cpu: ${r.usage!.cpuSeconds.toFixed(2)} s over ${wall.toFixed(2)} s = ${share.toFixed(2)} CPUs`,
    );
    // Unlimited, the two threads would use about 2. The low bound is looser than the high one: tests run two files at
    // a time on small CI machines, where the session may get less than its quota (0.32 seen there, 0.50 alone).
    assert.ok(share >= 0.25 && share <= 0.75, `share ${share}`);
    assertRemoved(r);
  });

  it('reads how a session ended from its cgroup after a manager restart, then removes the cgroup', async () => {
    const s = await h.manager.submit({
      command: nodeScript(
        `console.log('up'); setTimeout(() => { const a = []; for (let i = 0; i < 300; i++) a.push(Buffer.alloc(1 << 20, 1)) }, 500)`,
      ),
      resources: { memoryMb: 128 },
    });
    await h.waitFor(s.id, (r) => r.state === 'running');
    await h.manager.close();
    await new Promise((res) => setTimeout(res, 1500));
    await h.restart();
    const r = await h.waitFor(s.id);
    assert.equal(r.oomKilled, true);
    assert.equal(r.state, 'failed');
    assertRemoved(r);
  });
});
