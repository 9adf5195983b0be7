/** Create options for a session's container: command, contract environment, limits, GPUs, mounts, network. */
import type Docker from 'dockerode';
import type { ExecSpec } from '../types.js';
import { argv, envList, memoryBytes, nanoCpus, objectName, sessionLabels, sessionMounts } from './session.js';

export function containerOptions(spec: ExecSpec, network: string): Docker.ContainerCreateOptions {
  const { cpus, memoryMb, gpus } = spec.resources;
  const env = { ...spec.env };
  // Only the granted devices are passed in, and the driver numbers them from 0 inside the container.
  if (gpus.length > 0) env.CUDA_VISIBLE_DEVICES = gpus.map((_, i) => i).join(',');
  const host: Docker.HostConfig = {
    NetworkMode: network,
    Mounts: sessionMounts(spec),
    AutoRemove: false,
    // The executor reads the output back through the engine, so it must be a driver the engine can read.
    LogConfig: { Type: 'json-file', Config: {} },
  };
  if (cpus > 0) host.NanoCpus = nanoCpus(cpus);
  if (memoryMb > 0) {
    host.Memory = memoryBytes(memoryMb);
    host.MemorySwap = host.Memory; // no swap on top, so the limit is what the OOM killer enforces
  }
  if (gpus.length > 0) {
    host.DeviceRequests = [{ Driver: 'nvidia', DeviceIDs: gpus.map(String), Capabilities: [['gpu']] }];
  }
  // Lets a job on a bridge network reach the manager on its host.
  if (network !== 'host') host.ExtraHosts = ['host.docker.internal:host-gateway'];
  return {
    name: objectName(spec.sessionId),
    Image: spec.image,
    Cmd: argv(spec),
    Env: envList(env),
    WorkingDir: spec.cwd,
    Labels: sessionLabels(spec),
    Tty: false,
    HostConfig: host,
  };
}
