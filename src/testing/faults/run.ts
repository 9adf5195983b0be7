/** Runs fault scenarios: per iteration, operations under way, kill -9 at a seeded random point, restart, check. */
import { setTimeout as sleep } from 'node:timers/promises';
import { prng } from '../../util/prng.js';
import { FaultManager, type FaultStore } from './harness.js';
import { leakedBlobs } from './leaks.js';
import { saveScenario } from './save.js';
import type { Scenario, ScenarioContext, ScenarioName, Tally } from './scenario.js';
import { sessionsScenario } from './sessions.js';
import { stageScenario } from './stage.js';
import { uploadScenario } from './upload.js';

export interface FaultRunOptions {
  /** Run together on one manager, so one kill lands in all of them (the bench runs one at a time). */
  scenarios: readonly ScenarioName[];
  iterations: number;
  seed: number;
  store: FaultStore;
  /** Told each violation as it is found (a long run need not end to show one). */
  onViolation?: (what: string) => void;
  /** Told the tallies after each iteration, for progress. */
  onIteration?: (tallies: readonly Tally[]) => void;
}

const FACTORIES: Record<ScenarioName, () => Scenario> = {
  upload: uploadScenario,
  save: saveScenario,
  stage: stageScenario,
  sessions: sessionsScenario,
};

interface Running {
  scenario: Scenario;
  ctx: ScenarioContext;
  tally: Tally;
  /** Resolves at the next acknowledged operation. */
  nextAck(): Promise<void>;
}

/** How long an iteration waits for each scenario's first acknowledgement before the kill timer starts anyway. */
const FIRST_ACK_MS = 60_000;

function running(
  name: ScenarioName,
  scenario: Scenario,
  manager: FaultManager,
  seed: number,
  onViolation: (what: string) => void,
): Running {
  const tally: Tally = {
    scenario: name,
    iterations: 0,
    acknowledged: 0,
    losses: 0,
    partial: 0,
    doubleRuns: 0,
    orphans: 0,
    violations: [],
  };
  let acked: (() => void) | undefined;
  const ctx: ScenarioContext = {
    manager,
    random: prng(seed),
    iteration: 0,
    acknowledge: () => {
      tally.acknowledged++;
      acked?.();
    },
    violate: (kind, what) => {
      tally[kind]++;
      const line = `${name} #${ctx.iteration}: ${kind}: ${what}`;
      tally.violations.push(line);
      onViolation(line);
    },
  };
  const nextAck = () =>
    new Promise<void>((resolve) => {
      acked = resolve;
    });
  return { scenario, ctx, tally, nextAck };
}

/** `iterations` kills on one data dir (so earlier iterations' data must survive later kills too). */
export async function runFaults(options: FaultRunOptions): Promise<Tally[]> {
  const random = prng(options.seed);
  const scenarios = options.scenarios.map((name) => FACTORIES[name]());
  const manager = await FaultManager.create(
    options.store,
    scenarios.flatMap((s) => s.flags ?? []),
  );
  // One generator per scenario: its sizes and choices do not depend on what runs beside it.
  const all = scenarios.map((s, i) =>
    running(options.scenarios[i]!, s, manager, options.seed + i + 1, options.onViolation ?? (() => {})),
  );
  const windowMs = Math.max(...scenarios.map((s) => s.windowMs));
  const each = (fn: (r: Running) => Promise<void> | undefined) => Promise.all(all.map(fn));
  try {
    await manager.start();
    await each((r) => r.scenario.setup?.(r.ctx));
    for (let i = 1; i <= options.iterations; i++) {
      for (const r of all) r.ctx.iteration = i;
      const stop = new AbortController();
      const firstAcks = Promise.all(all.map((r) => r.nextAck()));
      // Settled at once so a failure before the kill is not an unhandled rejection while the timer runs.
      const driving = each((r) => r.scenario.drive(r.ctx, stop.signal)).then(
        () => undefined,
        (err: unknown) => err,
      );
      // The kill timer starts once every scenario has had an operation acknowledged in this iteration (on a
      // loaded machine one upload can outlast the window), so each kill has acknowledged work to lose.
      const waited = new AbortController();
      const timeout = sleep(FIRST_ACK_MS, undefined, { signal: waited.signal }).catch(() => undefined);
      await Promise.race([firstAcks, timeout]);
      waited.abort();
      await sleep(random() * windowMs);
      stop.abort();
      await manager.kill();
      const failed = await driving;
      if (failed) throw failed;
      await manager.start();
      await each((r) => r.scenario.check(r.ctx));
      for (const r of all) r.tally.iterations++;
      options.onIteration?.(all.map((r) => r.tally));
    }
    await each((r) => r.scenario.finish?.(r.ctx));
    await manager.stop();
    for (const leak of await leakedBlobs(manager.dir, manager.spec, manager.prefix)) {
      // Dataset shards come from uploads, weights from saves (the stage scenario saves only before any kill).
      const from = leak.owners.some((o) => o.startsWith('dataset')) ? 'upload' : 'save';
      const r = all.find((a) => a.tally.scenario === from) ?? all[0]!;
      r.ctx.violate('partial', `blob ${leak.digest} leaked in the store, owners [${leak.owners}]`);
    }
  } finally {
    await manager.close();
  }
  return all.map((r) => r.tally);
}
