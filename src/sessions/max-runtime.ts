/** The max-runtime timer of a running session. */
import type { Active } from './active.js';

/** Node's timer limit (~24.8 days); a longer max runtime is re-armed when it fires. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** (Re-)arms the timer from the record's start time; `expire` runs once the max runtime has passed. */
export function armMaxRuntime(a: Active, expire: () => void): void {
  const { maxRuntimeMs, startedAt } = a.record;
  if (maxRuntimeMs === undefined || startedAt === undefined) return;
  const left = startedAt + maxRuntimeMs - Date.now();
  clearTimeout(a.maxTimer);
  a.maxTimer = setTimeout(
    () => {
      if (Date.now() < startedAt + maxRuntimeMs) return armMaxRuntime(a, expire);
      a.timedOut = true;
      expire();
    },
    Math.min(MAX_TIMER_MS, Math.max(0, left)),
  );
  a.maxTimer.unref();
}
