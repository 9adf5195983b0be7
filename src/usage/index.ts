/** Usage metrics sampled by the manager: per session as series, per node beside its allocation. */
export { type SamplerStats, type UsageDeps, UsageMonitor, type UsageOptions } from './monitor.js';
