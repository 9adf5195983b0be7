/** The store lease: one manager writes a store at a time; a successor takes over when the holder goes. */
export type { LeaseHolder } from './holder.js';
export { describeHolder } from './holder.js';
export { acquireLease, FENCE_KEY, LEASE_KEY, Lease, type LeaseOptions } from './lease.js';
