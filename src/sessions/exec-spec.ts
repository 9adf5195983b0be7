/** What an executor is asked to run for a placed session: command, resources, node, directories, environment. */
import { join } from 'node:path';
import { type ExecSpec, sessionEnv } from '../executors/index.js';
import type { SessionOptions } from './options.js';
import type { SessionRecord } from './types.js';

/** A session's own directory under the data dir; the executor keeps its files there. */
export const sessionDir = (dataDir: string, id: string): string => join(dataDir, 'sessions', id);

/** Where a session writes what it produces (SWARMLAB_OUTPUT_DIR); also its default working dir. */
export const outputDir = (dataDir: string, id: string): string => join(sessionDir(dataDir, id), 'output');

/** The spec of a placed session (`r.placement` set): the one it starts with, and the one it is re-attached with. */
export function execSpec(
  o: Pick<SessionOptions, 'dataDir' | 'publicUrl' | 'sessionToken'>,
  r: SessionRecord,
): ExecSpec {
  const p = r.placement!;
  const spec: ExecSpec = {
    sessionId: r.id,
    command: r.command,
    shell: r.shell,
    cwd: r.cwd,
    dir: sessionDir(o.dataDir, r.id),
    resources: { cpus: p.cpus, memoryMb: p.memoryMb, gpus: p.gpus },
    node: p.node,
    pool: r.pool,
    labels: r.labels,
    env: sessionEnv(
      {
        url: o.publicUrl(),
        token: o.sessionToken(r.id),
        sessionId: r.id,
        dataset: r.dataset,
        node: p.node,
        gpus: p.gpus,
        gpuMemoryFraction: p.gpuMemoryFraction,
        cpus: r.resources.cpus,
        outputDir: outputDir(o.dataDir, r.id),
        params: r.params,
        project: r.project,
        tags: r.tags,
        user: r.env,
      },
      // A container keeps its image's environment (PATH, HOME…); only a local process inherits the manager's.
      r.image === undefined ? process.env : {},
    ),
  };
  if (r.image !== undefined) spec.image = r.image;
  if (r.keep) spec.keep = true;
  return spec;
}
