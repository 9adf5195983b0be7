/** The Docker executor: sessions as containers on one engine, or as services of a Docker Swarm. */
export type { DockerMode } from './engine.js';
export { dockerClient } from './engine.js';
export { DockerExecutor, type DockerExecutorOptions } from './executor.js';
export { type SwarmNode, swarmNodes } from './nodes.js';
export { swarmHostname } from './session.js';
export { SwarmSync, type SwarmSyncOptions } from './swarm-sync.js';
