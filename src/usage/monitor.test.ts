/**
 * The sampler on a real LMDB store: every running session's points in one transaction per tick, nodes' use summed
 * from their sessions, the GPU probe asked only for a local node with GPUs, and nothing while sampling is off.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { NodeSnapshot } from '../api/index.js';
import type { RankUsage } from '../executors/index.js';
import { openLmdbStore, type Store } from '../store/index.js';
import { MetricSeries } from '../telemetry/index.js';
import { UsageMonitor } from './monitor.js';
import type { Running } from './readings.js';

const node = (name: string, gpus: number): NodeSnapshot => ({
  name,
  pool: 'training',
  engine: 'local',
  labels: {},
  capacity: { cpus: 8, memoryMb: 8000, gpus },
  allocated: { cpus: 2, memoryMb: 1000, gpus: 0 },
  free: { cpus: 6, memoryMb: 7000, gpus },
  gpus: [],
  sessions: [],
});

const running = (id: string, onNode: string, startedAt: number): Running => ({
  id,
  startedAt,
  placement: { sessionId: id, node: onNode, gpus: [], cpus: 1, memoryMb: 100, gpuMemoryFraction: 1 },
});

describe('usage monitor', () => {
  let dir: string;
  let store: Store;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'swarmlab-usage-'));
    store = await openLmdbStore({ path: dir });
  });
  after(async () => {
    await store.close();
    await rm(dir, { recursive: true, force: true });
  });

  it("stores every session's points in one transaction per tick and sums each node's use", async () => {
    const started = Date.now() - 10_000;
    const sessions = [running('a', 'n1', started), running('b', 'n1', started), running('c', 'n2', started)];
    const cpu = new Map([
      ['a', 5],
      ['b', 10],
      ['c', 0],
    ]);
    const executor = {
      async usage() {
        return new Map(
          sessions.map((s): [string, RankUsage[]] => [
            s.id,
            [{ rank: 0, cpuSeconds: cpu.get(s.id)!, rssMb: 100 }],
          ]),
        );
      },
    };
    let commits = 0;
    let gpuProbes = 0;
    const counted: Store = Object.create(store, {
      commit: {
        value: (ops: Parameters<Store['commit']>[0]) => {
          commits++;
          return store.commit(ops);
        },
      },
    });
    const series = new MetricSeries(store);
    const m = new UsageMonitor(
      {
        store: counted,
        series,
        executor,
        sessions: { running: () => sessions },
        nodes: () => [node('n1', 0), node('n2', 0)],
        logger: { warn: (o: unknown) => assert.fail(JSON.stringify(o)) },
        gpus: async () => {
          gpuProbes++;
          return [];
        },
      },
      { intervalMs: 60_000 },
    );
    await m.tick();
    assert.equal(commits, 1, 'one transaction for three sessions');
    const a = await series.read('a');
    assert.deepEqual(Object.keys(a.series), ['sys/cpu', 'sys/peak_mb', 'sys/rss_mb']);
    assert.ok(Math.abs(a.series['sys/cpu']!.value[0]! - 0.5) < 0.05, `${a.series['sys/cpu']!.value}`);
    const [n1, n2] = m.nodes();
    assert.ok(Math.abs(n1!.used!.cpus - 1.5) < 0.1, `n1 ${n1!.used!.cpus}`);
    assert.equal(n1!.used!.memoryMb, 200);
    assert.equal(n2!.used!.cpus, 0);
    assert.equal(n2!.used!.memoryMb, 100);
    assert.equal(gpuProbes, 0, 'no node has GPUs: nvidia-smi is not asked');
    assert.deepEqual(m.stats.ticks, 1);
    assert.equal(m.stats.sessions, 3);
  });

  it('samples nothing while off, and shows no use', async () => {
    let asked = false;
    const m = new UsageMonitor(
      {
        store,
        series: new MetricSeries(store),
        executor: {
          async usage() {
            asked = true;
            return new Map();
          },
        },
        sessions: { running: () => [running('x', 'n1', Date.now())] },
        nodes: () => [node('n1', 0)],
        logger: { warn() {} },
      },
      { intervalMs: 0 },
    );
    m.start();
    await new Promise((r) => setTimeout(r, 50));
    await m.stop();
    assert.equal(asked, false);
    assert.equal(m.nodes()[0]!.used, undefined);
  });

  it("reads a gang's ranks from the executor's jobs ID.RANK into one series per rank", async () => {
    const gang: Running = { ...running('g', 'n1', Date.now() - 10_000), replicas: 2 };
    const series = new MetricSeries(store);
    const m = new UsageMonitor(
      {
        store,
        series,
        executor: {
          async usage() {
            return new Map<string, RankUsage[]>([
              ['g.0', [{ rank: 0, cpuSeconds: 10, rssMb: 100 }]],
              ['g.1', [{ rank: 0, cpuSeconds: 5, rssMb: 50 }]],
            ]);
          },
        },
        sessions: { running: () => [gang] },
        nodes: () => [node('n1', 0)],
        logger: { warn: (o: unknown) => assert.fail(JSON.stringify(o)) },
      },
      { intervalMs: 60_000 },
    );
    await m.tick();
    const g = (await series.read('g')).series;
    assert.deepEqual(g['sys/rank0/rss_mb']?.value, [100]);
    assert.deepEqual(g['sys/rank1/rss_mb']?.value, [50]);
    assert.ok(Math.abs(g['sys/rank1/cpu']!.value[0]! - 0.5) < 0.05, `${g['sys/rank1/cpu']!.value}`);
    assert.equal(m.nodes()[0]!.used!.memoryMb, 150);
  });
});
