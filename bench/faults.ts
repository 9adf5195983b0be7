/**
 * Fault benchmark (npm run bench:faults): kill -9 of the manager at seeded random points during dataset uploads,
 * generation saves, stage changes under serving load and running sessions; after each restart, nothing
 * acknowledged may be lost, nothing partial visible, no session run twice, no process orphaned.
 * Usage: npm run bench:faults -- [--iterations 50] [--seed 42] [--scenario all|upload|save|stage|sessions]
 *        [--store lmdb|redis]. Exits 1 on any violation (each printed).
 */
import { parseArgs } from 'node:util';
import { runFaults, SCENARIOS, type ScenarioName, type Tally } from '../src/testing/faults/index.js';

const { values } = parseArgs({
  options: {
    iterations: { type: 'string', default: '50' },
    seed: { type: 'string', default: '42' },
    scenario: { type: 'string', default: 'all' },
    store: { type: 'string', default: 'lmdb' },
  },
});
const iterations = Number(values.iterations);
const seed = Number(values.seed);
const store = values.store;
if (store !== 'lmdb' && store !== 'redis') throw new TypeError(`--store: lmdb or redis, not ${store}`);
if (values.scenario !== 'all' && !(SCENARIOS as readonly string[]).includes(values.scenario))
  throw new TypeError(`--scenario: all or one of ${SCENARIOS.join(', ')}, not ${values.scenario}`);
const scenarios = values.scenario === 'all' ? SCENARIOS : [values.scenario as ScenarioName];

const COLUMNS = ['iterations', 'acknowledged', 'losses', 'partial', 'doubleRuns', 'orphans'] as const;
console.log(`kill -9 fault run: store ${store}, seed ${seed}, ${iterations} iterations per scenario`);
console.log(`${'scenario'.padEnd(10)}${COLUMNS.map((c) => c.padStart(13)).join('')}     seconds`);
const tallies: Tally[] = [];
for (const scenario of scenarios) {
  const started = performance.now();
  const [tally] = await runFaults({
    scenarios: [scenario],
    iterations,
    seed,
    store,
    onViolation: (v) => console.log(`VIOLATION ${v}`),
    onIteration: ([t]) =>
      process.stderr.write(`${scenario}: ${t!.iterations}/${iterations}, ${t!.acknowledged} acknowledged\n`),
  });
  tallies.push(tally!);
  const seconds = ((performance.now() - started) / 1000).toFixed(0).padStart(12);
  console.log(
    `${scenario.padEnd(10)}${COLUMNS.map((c) => String(tally![c]).padStart(13)).join('')}${seconds}`,
  );
}
process.exitCode = tallies.some((t) => t.violations.length > 0) ? 1 : 0;
