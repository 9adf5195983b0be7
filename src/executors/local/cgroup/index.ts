/** Session cgroups for the local executor: CPU and memory grants enforced, usage and OOM kills read back. */
export type { CgroupKind, CgroupReport, CgroupSample, Grant } from './backend.js';
export { type Detection, detectCgroups } from './detect.js';
export { type OwnCgroups, ownCgroups } from './mounts.js';
export { type CgroupOwner, SessionCgroups } from './session-cgroups.js';
