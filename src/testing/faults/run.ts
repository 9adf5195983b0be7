/** Runs fault scenarios: per iteration, operations under way, kill -9 at a seeded random point, restart, check. */
import { setTimeout as sleep } from 'node:timers/promises';
import { prng } from '../../util/prng.js';
import { FaultManager, type FaultStore } from './harness.js';
import { saveScenario } from './save.js';
import type { Scenario, ScenarioContext, ScenarioName, Tally } from './scenario.js';
import { sessionsScenario } from './sessions.js';
import { stageScenario } from './stage.js';
import { uploadScenario } from './upload.js';

export interface FaultRunOptions {
  scenario: ScenarioName;
  iterations: number;
  seed: number;
  store: FaultStore;
}

const FACTORIES: Record<ScenarioName, () => Scenario> = {
  upload: uploadScenario,
  save: saveScenario,
  stage: stageScenario,
  sessions: sessionsScenario,
};

/** One scenario, `iterations` kills on one data dir (so earlier iterations' data must survive later kills too). */
export async function runScenario(options: FaultRunOptions): Promise<Tally> {
  const scenario = FACTORIES[options.scenario]();
  const tally: Tally = {
    scenario: options.scenario,
    iterations: 0,
    acknowledged: 0,
    losses: 0,
    partial: 0,
    doubleRuns: 0,
    orphans: 0,
    violations: [],
  };
  const manager = await FaultManager.create(options.store, scenario.flags);
  const ctx: ScenarioContext = {
    manager,
    random: prng(options.seed),
    iteration: 0,
    acknowledge: () => {
      tally.acknowledged++;
    },
    violate: (kind, what) => {
      tally[kind]++;
      tally.violations.push(`${options.scenario} #${ctx.iteration}: ${kind}: ${what}`);
    },
  };
  try {
    await manager.start();
    await scenario.setup?.(ctx);
    for (let i = 1; i <= options.iterations; i++) {
      ctx.iteration = i;
      const stop = new AbortController();
      // Settled at once so a failure before the kill is not an unhandled rejection while the timer runs.
      const driving = scenario.drive(ctx, stop.signal).then(
        () => undefined,
        (err: unknown) => err,
      );
      await sleep(ctx.random() * scenario.windowMs);
      stop.abort();
      await manager.kill();
      const failed = await driving;
      if (failed) throw failed;
      await manager.start();
      await scenario.check(ctx);
      tally.iterations++;
    }
    await scenario.finish?.(ctx);
  } finally {
    await manager.close();
  }
  return tally;
}
