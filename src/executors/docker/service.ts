/** The swarm service spec for a session: one task, never restarted, pinned to the node the scheduler chose. */
import type Docker from 'dockerode';
import type { ExecSpec } from '../types.js';
import {
  argv,
  envList,
  memoryBytes,
  nanoCpus,
  objectName,
  POOL_LABEL,
  sessionLabels,
  sessionMounts,
  swarmHostname,
} from './session.js';

/** Pool of nodes without a `swarmlab.pool` label, which a constraint on the label would exclude. */
export const DEFAULT_POOL = 'training';

export function placementConstraints(spec: ExecSpec): string[] {
  const out: string[] = [];
  if (spec.node) out.push(`node.hostname==${swarmHostname(spec.node)}`);
  if (spec.pool && spec.pool !== DEFAULT_POOL) out.push(`node.labels.${POOL_LABEL}==${spec.pool}`);
  for (const [k, v] of Object.entries(spec.labels)) out.push(`node.labels.${k}==${v}`);
  return out;
}

export interface ServiceTarget {
  /** Network name or id; `host` is the swarm's host network. */
  network: string;
  /** Generic resource kind the nodes advertise their GPUs under (`gpu`, `NVIDIA-GPU`). */
  gpuKind: string;
}

/**
 * GPUs are reserved by count, which is all swarm can do; CUDA_VISIBLE_DEVICES from the contract keeps naming
 * the scheduler's device indices, as the node's runtime exposes all of its devices.
 */
export function serviceSpec(spec: ExecSpec, target: ServiceTarget): Docker.CreateServiceOptions {
  const { cpus, memoryMb, gpus } = spec.resources;
  const limits: Docker.ResourceLimits = {};
  if (cpus > 0) limits.NanoCPUs = nanoCpus(cpus);
  if (memoryMb > 0) limits.MemoryBytes = memoryBytes(memoryMb);
  const reservations: Docker.Resources = { ...limits };
  if (gpus.length > 0) {
    // dockerode's type lacks the `DiscreteResourceSpec` wrapper the API wants.
    const gpu = { DiscreteResourceSpec: { Kind: target.gpuKind, Value: gpus.length } };
    reservations.GenericResources = [gpu as Docker.GenericResource];
  }
  const labels = sessionLabels(spec);
  return {
    Name: objectName(spec.sessionId),
    Labels: labels,
    TaskTemplate: {
      ContainerSpec: {
        Image: spec.image,
        Command: argv(spec),
        Env: envList(spec.env),
        Dir: spec.cwd,
        Labels: labels,
        Mounts: sessionMounts(spec),
        TTY: false,
      },
      RestartPolicy: { Condition: 'none' },
      Resources: { Limits: limits, Reservations: reservations },
      Placement: { Constraints: placementConstraints(spec) },
      Networks: [{ Target: target.network }],
      LogDriver: { Name: 'json-file' },
    },
    Mode: { Replicated: { Replicas: 1 } },
  };
}
