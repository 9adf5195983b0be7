/** Executors: the `Executor` contract, the session environment contract, and the local implementation. */
export {
  DockerExecutor,
  type DockerExecutorOptions,
  type DockerMode,
  dockerClient,
  type SwarmNode,
  SwarmSync,
  type SwarmSyncOptions,
  swarmNodes,
} from './docker/index.js';
export { type SessionEnvInput, sessionEnv } from './env.js';
export { type Detection, detectCgroups, LocalExecutor, type LocalExecutorOptions } from './local/index.js';
export { ExecutorRouter } from './router.js';
export type {
  ExecHandle,
  ExecHooks,
  ExecSpec,
  ExecStatus,
  Executor,
  ExitInfo,
  Isolation,
  OutputBatch,
  OutputOffsets,
  OutputStream,
  RankUsage,
  SessionUsage,
} from './types.js';
