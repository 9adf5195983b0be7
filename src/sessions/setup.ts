/** Builds the sessions service the manager runs: node inventory, scheduler, local executor, session manager. */
import type { Logger } from 'pino';
import type { EventArchive } from '../events/index.js';
import { LocalExecutor } from '../executors/index.js';
import { detectLocalNode, loadNodesConfig, type NodeSpec, Scheduler } from '../scheduler/index.js';
import type { Store } from '../store/index.js';
import { SessionManager } from './manager.js';
import type { DatasetResolver, StopChannel } from './types.js';

export interface SessionsSetup {
  store: Store;
  events: EventArchive;
  logger: Logger;
  dataDir: string;
  publicUrl: () => string;
  token: string;
  /** JSON file of extra nodes; a declared node named like this machine replaces the detected one. */
  nodesFile: string | undefined;
  localNode: boolean;
  longRunMs: number;
  stopGraceMs: number;
  datasets?: DatasetResolver;
  stopChannel?: () => StopChannel | undefined;
}

/** This machine (unless turned off) plus the declared nodes. */
export async function nodeInventory(
  setup: Pick<SessionsSetup, 'nodesFile' | 'localNode' | 'logger'>,
): Promise<NodeSpec[]> {
  const declared = setup.nodesFile ? await loadNodesConfig(setup.nodesFile) : [];
  const nodes: NodeSpec[] = [];
  if (setup.localNode) {
    const local = await detectLocalNode({ onWarning: (m) => setup.logger.warn(m) });
    if (!declared.some((n) => n.name === local.name)) nodes.push(local);
  }
  return [...nodes, ...declared];
}

/** A manager ready to serve; call `start()` once the HTTP server listens (sessions need its URL). */
export async function createSessions(setup: SessionsSetup): Promise<SessionManager> {
  const nodes = await nodeInventory(setup);
  setup.logger.info(
    {
      nodes: nodes.map((n) => ({
        name: n.name,
        pool: n.pool,
        cpus: n.capacity.cpus,
        gpus: n.capacity.gpus.length,
      })),
    },
    'nodes',
  );
  const deps = {
    store: setup.store,
    events: setup.events,
    scheduler: new Scheduler(nodes),
    executor: new LocalExecutor(),
    logger: setup.logger,
    ...(setup.datasets ? { datasets: setup.datasets } : {}),
    ...(setup.stopChannel ? { stopChannel: setup.stopChannel } : {}),
  };
  return new SessionManager(deps, {
    dataDir: setup.dataDir,
    publicUrl: setup.publicUrl,
    token: setup.token,
    longRunMs: setup.longRunMs,
    stopGraceMs: setup.stopGraceMs,
  });
}
