/** Scheduling core: demand queue with aging, best-fit placement over node pools, GPU sharing, restore. */
export { auditPlacements } from './audit.js';
export {
  fieldPath,
  loadNodesConfig,
  nodeSpecSchema,
  nodesConfigSchema,
  parseNodeSpec,
  parseNodesConfig,
} from './config.js';
export { type DetectOptions, detectLocalNode, NVIDIA_SMI_ARGS, parseNvidiaSmiGpus } from './local-node.js';
export {
  type Demotion,
  LONG_RUN_THRESHOLD_MS,
  type LongRunOptions,
  longRunDemotions,
  type RunningSession,
} from './long-run.js';
export type { Preemption, Victim } from './preempt.js';
export { type RestoreResult, Scheduler, type SchedulerOptions } from './scheduler.js';
export type {
  Demand,
  FitVerdict,
  GpuSnapshot,
  GpuSpec,
  NodeEngine,
  NodeSnapshot,
  NodeSpec,
  Placement,
  QueuedSnapshot,
  RankPlacement,
  Resources,
} from './types.js';
export { normalizeResources } from './units.js';
