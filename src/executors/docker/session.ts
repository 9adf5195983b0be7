/** What a session looks like to Docker in either mode: its name, labels, argv, environment and mounts. */
import type Docker from 'dockerode';
import type { ExecSpec } from '../types.js';

/** Label every container and service of ours carries; `recover` finds sessions by it. */
export const SESSION_LABEL = 'swarmlab.session';
export const POOL_LABEL = 'swarmlab.pool';

/** `swarmlab-<id>`, restricted to what both container and service names accept (service names: DNS labels). */
export const objectName = (sessionId: string): string =>
  `swarmlab-${sessionId.replace(/[^a-zA-Z0-9-]/g, '-')}`.slice(0, 63).replace(/-+$/, '');

export const sessionLabels = (spec: ExecSpec): Record<string, string> => ({
  [SESSION_LABEL]: spec.sessionId,
  'swarmlab.node': spec.node,
  [POOL_LABEL]: spec.pool,
});

export const argv = (spec: ExecSpec): string[] =>
  spec.shell ? ['sh', '-c', spec.command.join(' ')] : spec.command;

export const envList = (env: Record<string, string>): string[] =>
  Object.entries(env).map(([k, v]) => `${k}=${v}`);

const inside = (path: string, dir: string): boolean =>
  path === dir || path.startsWith(dir.endsWith('/') ? dir : `${dir}/`);

/**
 * The session's output directory read-write and its working directory read-only, each at its host path, so
 * the paths in the environment contract hold inside. A working directory within the output one is covered.
 */
export function sessionMounts(spec: ExecSpec): Docker.MountSettings[] {
  const out = spec.env.SWARMLAB_OUTPUT_DIR;
  const mounts: Docker.MountSettings[] = [];
  if (out) mounts.push({ Type: 'bind', Source: out, Target: out, ReadOnly: false });
  if (!out || !inside(spec.cwd, out)) {
    mounts.push({ Type: 'bind', Source: spec.cwd, Target: spec.cwd, ReadOnly: true });
  }
  return mounts;
}

export const nanoCpus = (cpus: number): number => Math.round(cpus * 1e9);
export const memoryBytes = (memoryMb: number): number => Math.round(memoryMb * 2 ** 20);

/** Swarm nodes are `swarm:HOSTNAME` to the scheduler, so they never clash with this machine's own local node. */
export const SWARM_NODE_PREFIX = 'swarm:';

/** The hostname of a scheduler node name (`swarm:gpu-3` → `gpu-3`). */
export const swarmHostname = (node: string): string =>
  node.startsWith(SWARM_NODE_PREFIX) ? node.slice(SWARM_NODE_PREFIX.length) : node;
