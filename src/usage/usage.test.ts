/**
 * Usage sampled by a real manager from real processes: a CPU-burning session shows about its granted CPUs and its
 * memory in `sys/*` series, nodes show use beside allocation, /metrics carries only node and pool labels, and GPU
 * use comes from an `nvidia-smi` (here a stand-in script on PATH).
 */
import assert from 'node:assert/strict';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { LogPage, NodesResponse, SessionRecord } from '../api/index.js';
import { detectCgroups } from '../executors/index.js';
import type { SeriesResult } from '../telemetry/index.js';
import { type TestManager, testManager } from '../testing/manager.js';
import { waitForSession } from '../testing/sessions.js';

const gpus = [0, 1].map((index) => ({ index, name: 'FakeGPU', memoryMb: 16000 }));
const nodes = { nodes: [{ name: 'box', pool: 'training', capacity: { cpus: 2, memoryMb: 8000, gpus } }] };
const { cgroups } = await detectCgroups();

/** Keeps ~100 MiB touched and one thread busy until stopped, printing its own CPU time (`cpu SECONDS MS`) as it goes. */
const BURN = `const a = []; for (let i = 0; i < 100; i++) a.push(Buffer.alloc(1 << 20, 1));
let next = 0;
for (;;) {
  const now = Date.now();
  if (now >= next) {
    const u = process.cpuUsage();
    console.log('cpu', (u.user + u.system) / 1e6, now);
    next = now + 100;
  }
}`;

const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

/** The job's own CPU time at `time` (ms), interpolated between the lines it printed. */
function ownCpuAt(lines: Array<[cpu: number, time: number]>, time: number): number {
  const k = lines.findIndex(([, t]) => t >= time);
  if (k <= 0) throw new Error(`no printed CPU time around ${time}`);
  const [c0, t0] = lines[k - 1]!;
  const [c1, t1] = lines[k]!;
  return c0 + ((c1 - c0) * (time - t0)) / (t1 - t0);
}

describe('usage sampled by the manager', () => {
  let t: TestManager;
  const path = process.env.PATH;
  before(async () => {
    t = await testManager({ nodes, localNode: false, usageInterval: '250ms' });
    // The stand-in for nvidia-smi: GPU 0 at 40 % with 1000 MB used, GPU 1 at 80 % with 3000 MB.
    const smi = join(t.dir, 'nvidia-smi');
    await writeFile(
      smi,
      '#!/bin/sh\nprintf "0, FakeGPU, 40, 1000, 16000\\n1, FakeGPU, 80, 3000, 16000\\n"\n',
    );
    await chmod(smi, 0o755);
    process.env.PATH = `${t.dir}:${path}`;
  });
  after(async () => {
    process.env.PATH = path;
    await t?.close();
  });

  const series = (id: string) =>
    t.client.json<SeriesResult>('GET', `/api/v1/sessions/${id}/metrics`, { query: { maxPoints: 0 } });

  /** Waits until the session has `n` points of `name` later than `after` (ms). */
  async function points(id: string, name: string, n: number, after = 0): Promise<SeriesResult> {
    const deadline = Date.now() + 60_000;
    for (;;) {
      const r = await series(id);
      if ((r.series[name]?.time.filter((x) => x > after).length ?? 0) >= n) return r;
      if (Date.now() > deadline)
        throw new Error(`${name}: ${r.series[name]?.value.length ?? 0} points after 60 s`);
      await new Promise((res) => setTimeout(res, 100));
    }
  }

  /** The `cpu SECONDS MS` lines a session printed, once one is later than `until`. */
  async function printed(id: string, until: number): Promise<Array<[number, number]>> {
    for (;;) {
      const logs = await t.client.json<LogPage>('GET', `/api/v1/sessions/${id}/logs`, {
        query: { tail: 100_000 },
      });
      const own = logs.lines
        .map((l) => l.line.split(' '))
        .filter((f) => f[0] === 'cpu')
        .map((f): [number, number] => [Number(f[1]), Number(f[2])]);
      if ((own.at(-1)?.[1] ?? 0) > until) return own;
      await new Promise((res) => setTimeout(res, 100));
    }
  }

  it('samples a CPU-burning session as the job itself counts its CPU, within its grant, with memory, boot time and node use', async () => {
    const granted = 0.5;
    const s = await t.client.json<SessionRecord>('POST', '/api/v1/sessions', {
      body: { command: [process.execPath, '-e', BURN], resources: { cpus: granted, memoryMb: 1024 } },
    });
    const running = await waitForSession(t.client, s.id, (r) => r.state === 'running');
    assert.equal(running.bootMs, running.startedAt! - running.createdAt);
    // A loaded machine may take seconds to start node and fill its memory.
    const first = (await printed(s.id, 0))[0]![1];
    const r = await points(s.id, 'sys/cpu', 10, first);
    const { value: cpu, time } = r.series['sys/cpu']!;
    const rss = r.series['sys/rss_mb']!.value;
    const peak = r.series['sys/peak_mb']!.value;
    // What the series says the job used from its first point after the job's first line to its last point, against
    // the job's own account: this holds however loaded the machine is (a busy thread may get far less than its grant).
    const n = cpu.length;
    const own = await printed(s.id, time[n - 1]!);
    const from = time.findIndex((x) => x > own[0]![1]);
    let sampled = 0;
    for (let i = from + 1; i < n; i++) sampled += (cpu[i]! * (time[i]! - time[i - 1]!)) / 1000;
    const wall = (time[n - 1]! - time[from]!) / 1000;
    const actual = ownCpuAt(own, time[n - 1]!) - ownCpuAt(own, time[from]!);
    console.log(
      `cpu over ${wall.toFixed(2)} s: sampled ${(sampled / wall).toFixed(3)} cores, the job's own ${(actual / wall).toFixed(3)} (granted ${granted}, cgroups ${!!cgroups}, median point ${median(cpu).toFixed(3)})`,
    );
    assert.ok(
      Math.abs(sampled - actual) <= 0.2 * actual + 0.01 * wall,
      `sampled ${sampled} s, actual ${actual} s`,
    );
    // Held to its grant by a cgroup: never (much) above it, though a loaded machine may give less.
    if (cgroups) assert.ok(median(cpu) <= granted * 1.2, `median cpu ${median(cpu)}`);
    assert.ok(Math.max(...rss) >= 100, `rss ${rss}`);
    assert.ok(
      peak.every((p, i) => p >= rss[i]! && (i === 0 || p >= peak[i - 1]!)),
      `peak ${peak}`,
    );
    assert.equal(r.series['sys/gpu'], undefined, 'no GPU held, no GPU series');

    const { nodes: list } = await t.client.json<NodesResponse>('GET', '/api/v1/nodes');
    const box = list.find((n) => n.name === 'box')!;
    assert.equal(box.allocated.cpus, granted);
    assert.ok(
      box.used && box.used.cpus > 0 && box.used.memoryMb >= 100 && box.used.sampledAt > 0,
      JSON.stringify(box.used),
    );
    assert.equal(box.used.gpus, 1.2, 'the node shows its GPUs as nvidia-smi reads them');
    assert.equal(box.used.gpuMemoryMb, 4000);

    const text = await (await fetch(`${t.url}/metrics`)).text();
    assert.match(text, /^swarmlab_node_cpus\{node="box",pool="training",kind="used"\} [0-9.e-]+$/m);
    assert.match(text, /^swarmlab_node_cpus\{node="box",pool="training",kind="allocated"\} 0\.5$/m);
    assert.match(text, /^swarmlab_pool_memory_bytes\{pool="training",kind="capacity"\} 8388608000$/m);
    assert.match(text, /^swarmlab_usage_sampler_cpu_seconds_total [0-9.e-]+$/m);
    assert.ok(!text.includes(s.id), 'no per-session series in /metrics');

    await t.client.json('POST', `/api/v1/sessions/${s.id}/stop`);
    await waitForSession(t.client, s.id, (x) => x.state === 'stopped');
  });

  it('gives a session the use of the GPUs it holds', async () => {
    const s = await t.client.json<SessionRecord>('POST', '/api/v1/sessions', {
      body: { command: ['sleep', '600'], resources: { cpus: 0.1, memoryMb: 64, gpus: 1 } },
    });
    const running = await waitForSession(t.client, s.id, (r) => r.state === 'running');
    const held = running.placement!.gpus[0]!;
    const r = await points(s.id, 'sys/gpu', 2);
    assert.deepEqual(new Set(r.series['sys/gpu']!.value), new Set([held === 0 ? 0.4 : 0.8]));
    assert.deepEqual(new Set(r.series['sys/gpu_mem_mb']!.value), new Set([held === 0 ? 1000 : 3000]));
    const cpu = r.series['sys/cpu']?.value ?? [];
    assert.ok(cpu.length > 0 && cpu.every((c) => c < 0.1), `a sleeping process is idle: ${cpu}`);
    await t.client.json('POST', `/api/v1/sessions/${s.id}/stop`);
    await waitForSession(t.client, s.id, (x) => x.state === 'stopped');
  });
});
