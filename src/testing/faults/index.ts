/** Fault tests: kill -9 of a real manager during uploads, saves, stage changes and sessions, then invariants. */
export { type FaultRunOptions, runFaults } from './run.js';
export { SCENARIOS, type ScenarioName, type Tally } from './scenario.js';
