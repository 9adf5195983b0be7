/**
 * Both backends' files on a scratch tree shaped like each hierarchy: what the grant writes, how counters are read.
 * The real kernel path is covered by src/sessions/isolation.test.ts on whichever version the machine has.
 */
import assert from 'node:assert/strict';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { detectCgroups } from './detect.js';
import { v1Backend } from './v1.js';
import { v2Backend } from './v2.js';

describe('cgroup backends on a scratch tree', () => {
  let root: string;
  before(async () => {
    root = await mkdtemp(join(tmpdir(), 'swarmlab-cgroup-'));
  });
  after(() => rm(root, { recursive: true, force: true }));

  const text = (path: string) => readFile(path, 'utf8');

  it('v2: enables cpu and memory below our cgroup, writes memory.max and cpu.max, reads cpu.stat, memory.events and memory.stat', async () => {
    const own = join(root, 'v2');
    await mkdir(own);
    await writeFile(join(own, 'cgroup.controllers'), 'cpuset cpu io memory pids\n');
    const b = await v2Backend(own);
    assert.deepEqual(b.parents, [join(own, 'swarmlab')]);
    assert.equal(await text(join(own, 'cgroup.subtree_control')), '+cpu +memory');
    assert.equal(await text(join(own, 'swarmlab', 'cgroup.subtree_control')), '+cpu +memory');
    const dir = join(b.parents[0]!, 's');
    await mkdir(dir);
    await b.limit([dir], { cpus: 0.5, memoryMb: 128 });
    assert.equal(await text(join(dir, 'memory.max')), String(128 * 1024 * 1024));
    assert.equal(await text(join(dir, 'cpu.max')), '50000 100000');
    assert.equal(await b.read([dir]), undefined, 'no counters, no report');
    await writeFile(join(dir, 'cpu.stat'), 'usage_usec 1500000\nuser_usec 1400000\n');
    await writeFile(join(dir, 'memory.events'), 'low 0\nhigh 0\nmax 7\noom 1\noom_kill 1\n');
    assert.deepEqual(await b.read([dir]), { usage: { cpuSeconds: 1.5 }, oomKills: 1 });
    await writeFile(join(dir, 'memory.peak'), String(100 * 1024 * 1024));
    assert.deepEqual(await b.read([dir]), { usage: { cpuSeconds: 1.5, peakMemoryMb: 100 }, oomKills: 1 });
    assert.equal(await b.sample([dir]), undefined, 'no memory.stat, no sample');
    await writeFile(join(dir, 'memory.stat'), 'anon 52428800\nfile 104857600\n');
    assert.deepEqual(await b.sample([dir]), { cpuSeconds: 1.5, rssMb: 50, peakMb: 100 });
  });

  it('v1: one directory per mount (cpu and cpuacct together share one), cfs quota and memory limit, subtree rss', async () => {
    const memory = join(root, 'v1', 'memory', 'job');
    const cpu = join(root, 'v1', 'cpu,cpuacct');
    await mkdir(memory, { recursive: true });
    await mkdir(cpu, { recursive: true });
    const b = await v1Backend(
      new Map([
        ['memory', memory],
        ['cpu', cpu],
        ['cpuacct', cpu],
      ]),
    );
    assert.deepEqual(b.parents, [join(memory, 'swarmlab'), join(cpu, 'swarmlab')]);
    const dirs = b.parents.map((p) => join(p, 's'));
    for (const d of dirs) await mkdir(d);
    await b.limit(dirs, { cpus: 2, memoryMb: 64 });
    assert.equal(await text(join(dirs[0]!, 'memory.limit_in_bytes')), String(64 * 1024 * 1024));
    assert.equal(await text(join(dirs[1]!, 'cpu.cfs_quota_us')), '200000');
    assert.equal(await text(join(dirs[1]!, 'cpu.cfs_period_us')), '100000');
    await writeFile(join(dirs[1]!, 'cpuacct.usage'), '2500000000\n');
    await writeFile(join(dirs[0]!, 'memory.max_usage_in_bytes'), String(32 * 1024 * 1024));
    await writeFile(join(dirs[0]!, 'memory.oom_control'), 'oom_kill_disable 0\nunder_oom 0\noom_kill 2\n');
    assert.deepEqual(await b.read(dirs), { usage: { cpuSeconds: 2.5, peakMemoryMb: 32 }, oomKills: 2 });
    await writeFile(
      join(dirs[0]!, 'memory.stat'),
      'cache 1048576\nrss 1\ntotal_cache 1048576\ntotal_rss 20971520\n',
    );
    assert.deepEqual(await b.sample(dirs), { cpuSeconds: 2.5, rssMb: 20, peakMb: 32 });
  });

  it('says why neither version is usable', async () => {
    const own = join(root, 'bare');
    await mkdir(own);
    await writeFile(join(own, 'cgroup.controllers'), '');
    const d = await detectCgroups({ unified: own, v1: new Map([['memory', own]]) });
    assert.equal(d.cgroups, undefined);
    assert.match(
      d.cgroups === undefined ? d.reason : '',
      /^cgroup v2: .* offers no cpu or memory controller; cgroup v1: no cgroup v1 cpu, cpuacct controller is mounted$/,
    );
  });
});
