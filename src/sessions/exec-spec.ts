/** What an executor is asked to run for a placed session: command, resources, node, directories, environment. */
import { join } from 'node:path';
import { type ExecSpec, sessionEnv } from '../executors/index.js';
import { rankKey } from './ids.js';
import type { SessionOptions } from './options.js';
import type { SessionRecord } from './types.js';

/** A session's own directory under the data dir; the executor keeps its files there. */
export const sessionDir = (dataDir: string, id: string): string => join(dataDir, 'sessions', id);

/** Where a session writes what it produces (SWARMLAB_OUTPUT_DIR); also its default working dir. */
export const outputDir = (dataDir: string, id: string): string => join(sessionDir(dataDir, id), 'output');

/** The rank's position among the gang's ranks on its node, and how many ranks share that node. */
function local(r: SessionRecord, rank: number): { localRank: number; localWorldSize: number } {
  const nodes = (r.ranks ?? []).map((x) => x.node);
  const node = nodes[rank];
  return {
    localRank: nodes.slice(0, rank).filter((n) => n === node).length,
    localWorldSize: nodes.filter((n) => n === node).length,
  };
}

/**
 * The spec of a placed session (`r.placement` set): the one it starts with, and the one it is re-attached with.
 * For a gang, `rank` picks the rank (its node, GPUs, own directory, and the rendezvous in its environment).
 */
export function execSpec(
  o: Pick<SessionOptions, 'dataDir' | 'publicUrl' | 'sessionToken'>,
  r: SessionRecord,
  rank?: number,
): ExecSpec {
  const p = r.placement!;
  const gang = rank !== undefined ? r.ranks?.[rank] : undefined;
  const node = gang?.node ?? p.node;
  const gpus = gang?.gpus ?? p.gpus;
  const spec: ExecSpec = {
    sessionId: gang ? rankKey(r.id, rank!) : r.id,
    command: r.command,
    shell: r.shell,
    cwd: r.cwd,
    dir: gang ? join(sessionDir(o.dataDir, r.id), `rank-${rank}`) : sessionDir(o.dataDir, r.id),
    resources: { cpus: p.cpus, memoryMb: p.memoryMb, gpus },
    node,
    pool: r.pool,
    labels: r.labels,
    env: sessionEnv(
      {
        url: o.publicUrl(),
        token: o.sessionToken(r.id),
        sessionId: r.id,
        dataset: r.dataset,
        node,
        gpus,
        gpuMemoryFraction: p.gpuMemoryFraction,
        cpus: r.resources.cpus,
        outputDir: outputDir(o.dataDir, r.id),
        params: r.params,
        project: r.project,
        tags: r.tags,
        attempt: r.attempt,
        retryOf: r.retryOf,
        user: r.env,
        ...(gang ? { rank, worldSize: r.replicas, rendezvous: r.rendezvous, ...local(r, rank!) } : {}),
      },
      // A container keeps its image's environment (PATH, HOME…); only a local process inherits the manager's.
      r.image === undefined ? process.env : {},
    ),
  };
  if (r.image !== undefined) spec.image = r.image;
  if (r.keep) spec.keep = true;
  return spec;
}
