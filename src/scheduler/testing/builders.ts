/** Small builders for scheduler tests and benchmarks. */
import type { Demand, NodeSpec, Resources } from '../types.js';

export function node(
  name: string,
  opts: {
    pool?: string;
    cpus?: number;
    memoryMb?: number;
    gpus?: number;
    labels?: Record<string, string>;
  } = {},
): NodeSpec {
  return {
    name,
    pool: opts.pool ?? 'training',
    labels: opts.labels ?? {},
    capacity: {
      cpus: opts.cpus ?? 16,
      memoryMb: opts.memoryMb ?? 65_536,
      gpus: Array.from({ length: opts.gpus ?? 0 }, (_, index) => ({
        index,
        name: 'Test GPU',
        memoryMb: 24_576,
      })),
    },
  };
}

export function demand(
  sessionId: string,
  resources: Partial<Resources> = {},
  extra: Partial<Omit<Demand, 'sessionId' | 'resources'>> = {},
): Demand {
  return {
    sessionId,
    resources: { cpus: 1, memoryMb: 1024, gpus: 0, ...resources },
    priority: 0,
    submittedAt: 0,
    ...extra,
  };
}
