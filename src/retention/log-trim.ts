/**
 * Bounds one append-only log by age and entry count, dropping its oldest entries with `trimLog`. Cursors never
 * move, so a reader resuming inside a trimmed range simply gets the next surviving entry.
 */
import type { LogRetention } from '../config/index.js';
import type { Store } from '../store/index.js';

/** When an entry was written (ms), or undefined when it cannot tell (such an entry stops the age scan). */
export type TimeOf = (value: unknown) => number | undefined;

/** Entries removed per store transaction: a trim is a write, and a big one would hold up every other write. */
const STEP = 1000;

/**
 * Trims `log` to `bounds`, removing at most `budget` entries; returns how many it removed. Entries are taken
 * oldest first and the age scan stops at the first young entry: logs are appended in time order.
 */
export async function trimToBounds(
  store: Store,
  log: string,
  bounds: LogRetention,
  timeOf: TimeOf,
  now: number,
  budget: number,
  /** Runs first when something is about to go (e.g. folding the entries into a summary that must outlive them). */
  beforeTrim?: () => Promise<unknown>,
): Promise<number> {
  if ((bounds.maxAgeMs === undefined && bounds.maxEntries === undefined) || budget <= 0) return 0;
  const [first] = await store.read(log, { limit: 1 });
  if (!first) return 0;
  // Entries only leave from the front (or in deleted ranges), so last − first + 1 bounds the count from above.
  let before = first.cursor;
  if (bounds.maxEntries !== undefined) {
    before = Math.max(before, (await store.lastCursor(log)) - bounds.maxEntries + 1);
  }
  const limit = first.cursor + budget;
  if (bounds.maxAgeMs !== undefined && before < limit) {
    before = await pastOld(store, log, before, now - bounds.maxAgeMs, timeOf, limit);
  }
  before = Math.min(before, limit);
  if (before > first.cursor) await beforeTrim?.();
  let removed = 0;
  for (let from = first.cursor; from < before; from += STEP) {
    removed += await store.trimLog(log, Math.min(before, from + STEP));
  }
  return removed;
}

/** The cursor just past the run of entries older than `cutoff` that starts at `from`, scanning below `limit`. */
async function pastOld(
  store: Store,
  log: string,
  from: number,
  cutoff: number,
  timeOf: TimeOf,
  limit: number,
): Promise<number> {
  let before = from;
  for (let after = from - 1; after < limit - 1; ) {
    const entries = await store.read(log, { after, limit: Math.min(STEP, limit - 1 - after) });
    for (const e of entries) {
      const t = timeOf(e.value);
      if (t === undefined || t >= cutoff) return before;
      before = e.cursor + 1;
    }
    if (entries.length === 0) return before;
    after = entries.at(-1)!.cursor;
  }
  return before;
}
