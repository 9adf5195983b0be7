import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type DockerStats, parseDockerStats } from './usage.js';

const MIB = 1024 * 1024;

// The fields read, as `GET /containers/ID/stats?stream=false&one-shot=true` gives them on a cgroup v1 engine.
const V1: DockerStats = {
  cpu_stats: { cpu_usage: { total_usage: 2_540_000_000 } },
  memory_stats: {
    usage: 160 * MIB,
    max_usage: 210 * MIB,
    stats: { total_rss: 120 * MIB, rss: 120 * MIB, total_inactive_file: 30 * MIB, cache: 38 * MIB },
  },
};

// The same on a cgroup v2 engine: no max_usage, `anon` for anonymous memory.
const V2: DockerStats = {
  cpu_stats: { cpu_usage: { total_usage: 750_000_000 } },
  memory_stats: { usage: 90 * MIB, stats: { anon: 64 * MIB, inactive_file: 20 * MIB, file: 24 * MIB } },
};

test('reads CPU time, resident memory and peak from a cgroup v1 engine', () => {
  assert.deepEqual(parseDockerStats(V1), { rank: 0, cpuSeconds: 2.54, rssMb: 120, peakMb: 210 });
});

test('reads anonymous memory from a cgroup v2 engine, which keeps no peak', () => {
  assert.deepEqual(parseDockerStats(V2), { rank: 0, cpuSeconds: 0.75, rssMb: 64 });
});

test('without a breakdown, memory is the usage less the inactive page cache; a stopped container has no sample', () => {
  const bare = { cpu_stats: { cpu_usage: { total_usage: 1e9 } }, memory_stats: { usage: 50 * MIB } };
  assert.deepEqual(parseDockerStats(bare), { rank: 0, cpuSeconds: 1, rssMb: 50 });
  assert.equal(parseDockerStats({ cpu_stats: { cpu_usage: {} }, memory_stats: {} }), undefined);
});
