/** Builds the sessions side of the manager from its config: node inventory, scheduler, executors, session manager. */
import type { Logger } from 'pino';
import type { DockerMode, ExecutorKind } from '../config/index.js';
import type { EventArchive } from '../events/index.js';
import {
  DockerExecutor,
  type Executor,
  ExecutorRouter,
  LocalExecutor,
  SwarmSync,
  swarmNodes,
} from '../executors/index.js';
import {
  detectLocalNode,
  loadNodesConfig,
  type NodeEngine,
  type NodeSpec,
  Scheduler,
} from '../scheduler/index.js';
import {
  type DatasetResolver,
  type OutputCollector,
  SessionManager,
  type SessionPurger,
  type StopChannel,
} from '../sessions/index.js';
import type { Store } from '../store/index.js';

export interface SessionsSetup {
  store: Store;
  events: EventArchive;
  logger: Logger;
  dataDir: string;
  publicUrl: () => string;
  /** The token a session's job gets (SWARMLAB_TOKEN). */
  sessionToken: (sessionId: string) => string;
  /** JSON file of extra nodes; a declared node named like this machine replaces the detected one. */
  nodesFile: string | undefined;
  localNode: boolean;
  longRunMs: number;
  stopGraceMs: number;
  /** `docker`: sessions with an image run on the Docker engine (as services when it is a swarm manager). */
  executor?: {
    kind: ExecutorKind;
    dockerHost?: string | undefined;
    dockerNetwork?: string;
    dockerMode?: DockerMode;
  };
  /** How often swarm nodes are re-read (default 2 s). */
  swarmSyncMs?: number;
  datasets?: DatasetResolver;
  stopChannel?: () => StopChannel | undefined;
  artifacts?: OutputCollector;
  purgers?: SessionPurger[];
}

export interface Sessions {
  /** Call `start()` once the HTTP server listens (sessions need its URL). */
  sessions: SessionManager;
  /** The nodes and the queue; what `GET /api/v1/nodes` shows. */
  scheduler: Scheduler;
  /** Swarm mode: keeps the scheduler's swarm nodes current; start it once sessions started, close it first. */
  swarmSync?: SwarmSync;
  /** What runs the sessions (owned by `sessions`); the usage sampler reads from it. */
  executor: Executor;
}

/** This machine (unless turned off) plus the declared nodes. */
async function nodeInventory(
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

interface Executors {
  executor: Executor;
  containerEngine?: NodeEngine;
  swarmSync?: SwarmSync;
}

/** Local processes always; with `docker`, a router that sends sessions with an image to the engine. */
async function executors(setup: SessionsSetup, scheduler: Scheduler, kick: () => void): Promise<Executors> {
  const local = new LocalExecutor({ onWarning: (m) => setup.logger.warn(m) });
  if (setup.executor?.kind !== 'docker') return { executor: local };
  const docker = await DockerExecutor.connect({
    ...(setup.executor.dockerHost ? { host: setup.executor.dockerHost } : {}),
    ...(setup.executor.dockerNetwork ? { network: setup.executor.dockerNetwork } : {}),
    ...(setup.executor.dockerMode ? { mode: setup.executor.dockerMode } : {}),
  });
  const executor = new ExecutorRouter(local, docker);
  setup.logger.info({ mode: docker.mode }, 'docker executor');
  if (docker.mode !== 'swarm') return { executor, containerEngine: 'local' };
  const swarmSync = new SwarmSync({
    list: () => swarmNodes(docker),
    apply: (nodes) => scheduler.syncNodes('swarm', nodes),
    changed: kick,
    onError: (err) => setup.logger.warn({ err }, 'swarm nodes could not be read'),
    ...(setup.swarmSyncMs !== undefined ? { intervalMs: setup.swarmSyncMs } : {}),
  });
  // Before reconciliation, so placements on swarm nodes can be restored.
  await swarmSync.sync();
  return { executor, containerEngine: 'swarm', swarmSync };
}

/** A manager ready to serve, with the scheduler it places on and, in swarm mode, the swarm's node sync. */
export async function createSessions(setup: SessionsSetup): Promise<Sessions> {
  const nodes = await nodeInventory(setup);
  const scheduler = new Scheduler(nodes);
  let sessions: SessionManager | undefined;
  const run = await executors(setup, scheduler, () => sessions?.kick());
  setup.logger.info(
    {
      nodes: scheduler.nodes().map((n) => ({
        name: n.name,
        engine: n.engine,
        pool: n.pool,
        cpus: n.capacity.cpus,
        gpus: n.capacity.gpus,
      })),
    },
    'nodes',
  );
  sessions = new SessionManager(
    {
      store: setup.store,
      events: setup.events,
      scheduler,
      executor: run.executor,
      logger: setup.logger,
      ...(setup.datasets ? { datasets: setup.datasets } : {}),
      ...(setup.stopChannel ? { stopChannel: setup.stopChannel } : {}),
      ...(setup.artifacts ? { artifacts: setup.artifacts } : {}),
      ...(setup.purgers ? { purgers: setup.purgers } : {}),
    },
    {
      dataDir: setup.dataDir,
      publicUrl: setup.publicUrl,
      sessionToken: setup.sessionToken,
      longRunMs: setup.longRunMs,
      stopGraceMs: setup.stopGraceMs,
      ...(run.containerEngine ? { containerEngine: run.containerEngine } : {}),
    },
  );
  return {
    sessions,
    scheduler,
    executor: run.executor,
    ...(run.swarmSync ? { swarmSync: run.swarmSync } : {}),
  };
}
