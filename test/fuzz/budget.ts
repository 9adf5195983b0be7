// How hard the fuzz suite pushes: a fixed seed and a few hundred cases per property by default, FUZZ_RUNS=N for more.
import type { Parameters } from 'fast-check';

const fromEnv = (name: string): number | undefined => {
  const raw = process.env[name];
  if (raw === undefined || raw === '') return undefined;
  const n = Number(raw);
  if (!Number.isSafeInteger(n) || n < 1) throw new Error(`${name} must be a positive integer, got '${raw}'`);
  return n;
};

/** Cases per format property; the default keeps the whole suite well under a minute on two cores. */
export const FUZZ_RUNS = fromEnv('FUZZ_RUNS') ?? 300;
/** Fixed so a failure in CI replays locally; FUZZ_SEED picks another stream of cases. */
export const FUZZ_SEED = fromEnv('FUZZ_SEED') ?? 19_004;

/** fast-check options: `share` of the runs (a cheaper or costlier property scales its count), a per-case time limit. */
export const fuzzParams = <T>(share = 1): Parameters<T> => ({
  numRuns: Math.max(1, Math.round(FUZZ_RUNS * share)),
  seed: FUZZ_SEED,
  timeout: 5_000,
});
