/** Connecting to a Docker engine: client from a host URL, reachability, and whether it manages a swarm. */
import Docker from 'dockerode';
import { InvalidError, UnavailableError } from '../../errors/index.js';

export type DockerMode = 'container' | 'swarm';

export interface Engine {
  docker: Docker;
  /** The host as given or defaulted, for messages. */
  host: string;
  mode: DockerMode;
  /** An active swarm manager: services can be created and followed. */
  manager: boolean;
  /** This engine's swarm node id ('' outside a swarm): tasks on it can be inspected and signalled directly. */
  nodeId: string;
}

const defaultHost = (): string => process.env.DOCKER_HOST || 'unix:///var/run/docker.sock';

/** A client for `unix:///path` or `tcp://host:port`; without a host, dockerode reads DOCKER_HOST (and TLS). */
export function dockerClient(host?: string): Docker {
  if (host === undefined) return new Docker();
  if (host.startsWith('unix://'))
    return new Docker({ socketPath: host.slice('unix://'.length), host: undefined });
  let url: URL;
  try {
    url = new URL(host);
  } catch (cause) {
    throw new InvalidError(`Docker host ${host} is not a URL`, { details: { field: 'host' }, cause });
  }
  if (url.protocol !== 'tcp:' || !url.hostname) {
    throw new InvalidError(`Docker host ${host} must be unix:///path or tcp://host:port`, {
      details: { field: 'host' },
    });
  }
  return new Docker({ host: url.hostname, port: url.port || 2375, protocol: 'http' });
}

export const statusOf = (err: unknown): number | undefined =>
  (err as { statusCode?: number } | undefined)?.statusCode;

export const isNotFound = (err: unknown): boolean => statusOf(err) === 404;

export async function connectEngine(host: string | undefined, mode: DockerMode | 'auto'): Promise<Engine> {
  const docker = dockerClient(host);
  const name = host ?? defaultHost();
  let info: { Swarm?: { LocalNodeState?: string; ControlAvailable?: boolean; NodeID?: string } };
  try {
    await docker.ping();
    info = await docker.info();
  } catch (cause) {
    throw new UnavailableError(`no Docker engine answers at ${name}: ${(cause as Error).message}`, {
      details: { host: name },
      cause,
    });
  }
  const manager = info.Swarm?.LocalNodeState === 'active' && info.Swarm.ControlAvailable === true;
  if (mode === 'swarm' && !manager) {
    throw new UnavailableError(
      `the Docker engine at ${name} is not a swarm manager (run docker swarm init)`,
      {
        details: { host: name },
      },
    );
  }
  const resolved: DockerMode = mode === 'auto' ? (manager ? 'swarm' : 'container') : mode;
  return { docker, host: name, mode: resolved, manager, nodeId: info.Swarm?.NodeID ?? '' };
}
