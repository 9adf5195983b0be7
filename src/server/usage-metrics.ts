/**
 * Prometheus gauges of capacity, allocation and use per node and per pool, and the usage sampler's own cost. Labels
 * are node, pool and kind only, so the series stay bounded; per-session use is in the API (`sys/*` series).
 */
import { Counter, Gauge, type Registry } from 'prom-client';
import type { NodeSnapshot } from '../api/index.js';
import type { UsageMonitor } from '../usage/index.js';

type Amounts = { cpus: number; memoryMb: number; gpus: number };

const MIB = 1024 * 1024;

const RESOURCES: Array<[name: string, help: string, of: (a: Amounts) => number]> = [
  ['cpus', 'CPU cores', (a) => a.cpus],
  ['memory_bytes', 'memory (used: resident)', (a) => a.memoryMb * MIB],
  ['gpus', 'GPUs (allocated and used count GPU-equivalents)', (a) => a.gpus],
];

/** Each node's amounts by kind; `used` only where the manager samples. */
function kinds(n: NodeSnapshot): Array<[kind: string, amounts: Amounts]> {
  const out: Array<[string, Amounts]> = [
    ['capacity', n.capacity],
    ['allocated', n.allocated],
  ];
  if (n.used) out.push(['used', n.used]);
  return out;
}

export function registerUsageMetrics(registry: Registry, usage: Pick<UsageMonitor, 'nodes' | 'stats'>): void {
  for (const [name, help, of] of RESOURCES) {
    new Gauge({
      name: `swarmlab_node_${name}`,
      help: `Node ${help} by kind: capacity, allocated, used`,
      labelNames: ['node', 'pool', 'kind'],
      registers: [registry],
      collect() {
        this.reset();
        for (const n of usage.nodes())
          for (const [kind, a] of kinds(n)) this.set({ node: n.name, pool: n.pool, kind }, of(a));
      },
    });
    new Gauge({
      name: `swarmlab_pool_${name}`,
      help: `Pool ${help} by kind (sum over its nodes): capacity, allocated, used`,
      labelNames: ['pool', 'kind'],
      registers: [registry],
      collect() {
        this.reset();
        for (const n of usage.nodes())
          for (const [kind, a] of kinds(n)) this.inc({ pool: n.pool, kind }, of(a));
      },
    });
  }
  new Counter({
    name: 'swarmlab_usage_sampler_cpu_seconds_total',
    help: "CPU time the manager's usage sampler has spent",
    registers: [registry],
    collect() {
      this.reset();
      this.inc(usage.stats.cpuSeconds);
    },
  });
  new Gauge({
    name: 'swarmlab_usage_sampled_sessions',
    help: 'Sessions sampled in the last usage tick',
    registers: [registry],
    collect() {
      this.set(usage.stats.sessions);
    },
  });
}
