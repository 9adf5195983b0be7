/** Integer resource units and demand validation, so that sums never drift (0.1 + 0.2 + 0.7 ≤ 1 must hold). */
import { InvalidError } from '../errors/index.js';
import type { Demand, Resources } from './types.js';

/** Thousandths of a core. */
export const CPU_SCALE = 1000;
/** A whole GPU in parts; fractions are stored as integer parts of this. */
export const GPU_WHOLE = 1_000_000;

/** A request in integer units, computed once per demand or placement. */
export interface Req {
  milliCpu: number;
  mem: number;
  gpus: number;
  /** Parts taken on each granted GPU; `GPU_WHOLE` means exclusive. */
  parts: number;
  /** The caller's own numbers, echoed back in placements. */
  resources: Required<Resources>;
}

export const toReq = (r: Required<Resources>): Req => ({
  milliCpu: Math.max(1, Math.round(r.cpus * CPU_SCALE)),
  mem: Math.ceil(r.memoryMb),
  gpus: r.gpus,
  parts: Math.min(GPU_WHOLE, Math.max(1, Math.round(r.gpuMemoryFraction * GPU_WHOLE))),
  resources: r,
});

const invalid = (field: string, message: string, value: unknown): never => {
  throw new InvalidError(`${field}: ${message} (got ${JSON.stringify(value)})`, {
    details: { field, value },
  });
};

const finite = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** Checks a resource request and fills the default fraction; `field` prefixes error paths. */
export function normalizeResources(r: Resources, field = 'resources'): Required<Resources> {
  if (!finite(r.cpus) || r.cpus <= 0) invalid(`${field}.cpus`, 'must be a number > 0', r.cpus);
  if (!finite(r.memoryMb) || r.memoryMb < 0) invalid(`${field}.memoryMb`, 'must be a number ≥ 0', r.memoryMb);
  if (!Number.isInteger(r.gpus) || r.gpus < 0) invalid(`${field}.gpus`, 'must be an integer ≥ 0', r.gpus);
  const f = r.gpuMemoryFraction ?? 1;
  if (!finite(f) || f <= 0 || f > 1) invalid(`${field}.gpuMemoryFraction`, 'must be in (0, 1]', f);
  return { cpus: r.cpus, memoryMb: r.memoryMb, gpus: r.gpus, gpuMemoryFraction: f };
}

export function normalizeDemand(d: Demand): Demand & { resources: Required<Resources> } {
  if (typeof d.sessionId !== 'string' || d.sessionId === '')
    invalid('sessionId', 'must be non-empty', d.sessionId);
  if (!finite(d.priority)) invalid('priority', 'must be a finite number', d.priority);
  if (!finite(d.submittedAt)) invalid('submittedAt', 'must be epoch ms', d.submittedAt);
  if (d.pool !== undefined && (typeof d.pool !== 'string' || d.pool === ''))
    invalid('pool', 'must be non-empty', d.pool);
  const out: Demand & { resources: Required<Resources> } = {
    sessionId: d.sessionId,
    resources: normalizeResources(d.resources),
    priority: d.priority,
    submittedAt: d.submittedAt,
  };
  if (d.pool !== undefined) out.pool = d.pool;
  if (d.labels !== undefined && Object.keys(d.labels).length > 0) out.labels = { ...d.labels };
  if (d.engine !== undefined && d.engine !== 'local') out.engine = d.engine;
  if (d.replicas !== undefined && d.replicas !== 1) {
    if (!Number.isInteger(d.replicas) || d.replicas < 1)
      invalid('replicas', 'must be an integer ≥ 1', d.replicas);
    out.replicas = d.replicas;
  }
  return out;
}

/** Label constraints as sorted pairs: cheap to test and a stable part of the shape key. */
export const labelPairs = (labels: Record<string, string> | undefined): Array<[string, string]> =>
  labels === undefined ? [] : Object.entries(labels).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
