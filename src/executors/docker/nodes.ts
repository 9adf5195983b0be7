/** The swarm's nodes as the scheduler sees nodes: hostname, pool label, other labels, CPUs, memory and GPUs. */
import type Docker from 'dockerode';
import { DEFAULT_POOL } from './service.js';
import { POOL_LABEL, SWARM_NODE_PREFIX } from './session.js';

/** The scheduler's `NodeSpec` shape; declared here because executors sit below the scheduler. */
export interface SwarmNode {
  name: string;
  pool: string;
  labels: Record<string, string>;
  capacity: {
    cpus: number;
    memoryMb: number;
    gpus: Array<{ index: number; name: string; memoryMb: number }>;
  };
}

interface GenericResource {
  DiscreteResourceSpec?: { Kind?: string; Value?: number };
  NamedResourceSpec?: { Kind?: string; Value?: string };
}

/** The fields of `GET /nodes` used here. */
export interface NodeInfo {
  Spec?: { Labels?: Record<string, string>; Availability?: string };
  Status?: { State?: string };
  Description?: {
    Hostname?: string;
    Resources?: { NanoCPUs?: number; MemoryBytes?: number; GenericResources?: GenericResource[] };
  };
}

/** Generic resource kinds nodes advertise GPUs under (daemon `node-generic-resources`). */
const isGpuKind = (kind: string | undefined): boolean =>
  kind !== undefined && ['gpu', 'nvidia-gpu'].includes(kind.toLowerCase());

/** Each GPU a node advertises: a count (`gpu=2`) or one named device per entry (`NVIDIA-GPU=GPU-uuid`). */
function gpuKinds(node: NodeInfo): string[] {
  const out: string[] = [];
  for (const r of node.Description?.Resources?.GenericResources ?? []) {
    const discrete = r.DiscreteResourceSpec;
    if (discrete && isGpuKind(discrete.Kind))
      out.push(...Array<string>(discrete.Value ?? 0).fill(discrete.Kind!));
    if (r.NamedResourceSpec && isGpuKind(r.NamedResourceSpec.Kind)) out.push(r.NamedResourceSpec.Kind!);
  }
  return out;
}

/** The kind a node's GPUs are advertised under, to reserve them by; `gpu` when it advertises none. */
export const gpuKindOf = (node: NodeInfo | undefined): string => (node && gpuKinds(node)[0]) ?? 'gpu';

/** Undefined for a node that is down, paused or drained. */
export function nodeSpecOf(node: NodeInfo): SwarmNode | undefined {
  if (node.Status?.State !== 'ready' || node.Spec?.Availability !== 'active') return undefined;
  const { [POOL_LABEL]: pool, ...labels } = node.Spec.Labels ?? {};
  const res = node.Description?.Resources;
  return {
    name: `${SWARM_NODE_PREFIX}${node.Description?.Hostname ?? ''}`,
    pool: pool || DEFAULT_POOL,
    labels,
    capacity: {
      cpus: (res?.NanoCPUs ?? 0) / 1e9,
      memoryMb: Math.floor((res?.MemoryBytes ?? 0) / 2 ** 20),
      gpus: gpuKinds(node).map((name, index) => ({ index, name, memoryMb: 0 })),
    },
  };
}

/** Ready, active swarm nodes; `source` is a client or the executor (for its client). Needs a manager. */
export async function swarmNodes(source: Docker | { readonly docker: Docker }): Promise<SwarmNode[]> {
  const docker = 'docker' in source ? source.docker : source;
  const nodes = (await docker.listNodes()) as NodeInfo[];
  return nodes.map(nodeSpecOf).filter((n): n is SwarmNode => n !== undefined);
}
