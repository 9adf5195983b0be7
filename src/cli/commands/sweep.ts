/**
 * `swarmlab sweep [options] -- CMD ARGS...`: starts a hyperparameter sweep whose trials run CMD with their params
 * (SWARMLAB_PARAMS, SWARMLAB_PARAM_<NAME>); `sweep ls`, `sweep show ID`, `sweep stop ID` follow it. A `--spec`
 * JSON file may hold any of the sweep's fields (its body for POST /api/v1/sweeps); flags given override it.
 */
import type { Command } from 'commander';
import type { SweepSpec, SweepView } from '../../api/index.js';
import { InvalidError } from '../../errors/index.js';
import { SweepsClient } from '../../sdk/sweeps.js';
import { collect, readJson } from '../flags.js';
import { formatNumber, printJson, table } from '../format.js';
import { submitBody } from './run.js';

interface SweepFlags {
  spec?: string;
  space?: string;
  algo?: string;
  metric?: string;
  mode?: string;
  trials?: string;
  parallel?: string;
  seed?: string;
  minResource?: string;
  maxResource?: string;
  eta?: string;
  sample?: string;
  name?: string;
  dataset?: string;
  cpus?: string;
  memory?: string;
  gpus?: string;
  env: string[];
  cwd?: string;
  shell?: boolean;
  rules?: string;
  tag: string[];
  project?: string;
  json?: boolean;
}

/** Numbers are passed as numbers when they read as one; the manager checks ranges and names the field. */
const num = (v: string | undefined) =>
  v === undefined || v.trim() === '' || Number.isNaN(Number(v)) ? v : Number(v);
const defined = (o: Record<string, unknown>) =>
  Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined));

/** The POST body: the `--spec` file, then the flags over it, then the trial template from the command. */
export async function sweepBody(argv: string[], flags: SweepFlags): Promise<Record<string, unknown>> {
  const base = (flags.spec === undefined ? {} : await readJson('--spec', flags.spec)) as Record<
    string,
    unknown
  >;
  if (base === null || typeof base !== 'object' || Array.isArray(base)) {
    throw new InvalidError(`--spec: ${flags.spec} is not a JSON object`, { details: { field: '--spec' } });
  }
  const asha = defined({
    ...(base.asha as object | undefined),
    minResource: num(flags.minResource),
    maxResource: num(flags.maxResource),
    eta: num(flags.eta),
    sample: flags.sample,
  });
  const session = argv.length
    ? submitBody(argv, { ...flags, label: [], name: undefined })
    : (base.session as Record<string, unknown> | undefined);
  if (session && flags.rules !== undefined) session.rules = await readJson('--rules', flags.rules);
  return defined({
    ...base,
    name: flags.name ?? base.name,
    space: flags.space === undefined ? base.space : await readJson('--space', flags.space),
    algorithm: flags.algo ?? base.algorithm,
    metric: flags.metric ?? base.metric,
    mode: flags.mode ?? base.mode,
    trials: num(flags.trials) ?? base.trials,
    parallelism: num(flags.parallel) ?? base.parallelism,
    seed: num(flags.seed) ?? base.seed,
    asha: Object.keys(asha).length > 0 ? asha : undefined,
    session,
  });
}

const paramsText = (p: Record<string, unknown>) =>
  Object.entries(p)
    .map(([k, v]) => `${k}=${v}`)
    .join(' ');

function printSweep(s: SweepView): void {
  const best = s.best
    ? `${formatNumber(s.best.value)} (trial ${s.best.index}, ${paramsText(s.best.params)})`
    : 'none yet';
  process.stdout.write(
    `sweep ${s.id} ${s.name}: ${s.state}${s.reason ? ` (${s.reason})` : ''}; ${s.algorithm}, ${s.mode} ${s.metric}` +
      `${s.rungs.length ? `, rungs at ${s.rungs.join(', ')}` : ''}\n` +
      `best ${best}; ${s.totalResource} trial-epochs\n`,
  );
  for (const p of s.promoted ?? [])
    process.stdout.write(`promoted ${p.model} ${p.generation} to ${p.stage} (${p.rule})\n`);
  const rows = [['TRIAL', 'SESSION', 'STATE', 'PARAMS', s.metric.toUpperCase(), 'BEST', 'EPOCHS', 'RUNG']];
  for (const t of s.trials) {
    rows.push([
      String(t.index),
      t.sessionId ?? '',
      t.state,
      paramsText(t.params),
      formatNumber(t.value),
      formatNumber(t.best),
      String(t.resource),
      t.stoppedAtRung === undefined ? (t.rung < 0 ? '' : String(t.rung)) : `stopped at ${t.stoppedAtRung}`,
    ]);
  }
  process.stdout.write(table(rows));
}

export function registerSweep(program: Command): void {
  const sweep = program
    .command('sweep')
    .description(
      'start a hyperparameter sweep: swarmlab sweep [options] -- CMD ARGS... (or sweep ls/show/stop)',
    )
    .argument('[command...]', 'what each trial runs (after --); its params come in SWARMLAB_PARAMS')
    .option(
      '--spec <file>',
      'JSON with any of the sweep fields (the POST /api/v1/sweeps body); flags override',
    )
    .option('--space <file>', 'JSON search space: {"lr": {"kind": "loguniform", "min": 1e-4, "max": 0.1}, …}')
    .option('--algo <name>', 'grid, random or asha')
    .option('--metric <name>', 'the metric trials are judged on')
    .option('--mode <max|min>', 'whether higher or lower is better')
    .option('--trials <n>', 'trial budget (random, ASHA; default for a grid: every point)')
    .option('--parallel <n>', 'trials at once (default 1)')
    .option('--seed <n>', 'seed of random sampling (default 0)')
    .option('--min-resource <n>', 'ASHA: first rung, in epochs (default 1)')
    .option('--max-resource <n>', 'ASHA: epochs a trial runs at most')
    .option('--eta <n>', 'ASHA: reduction factor (default 3)')
    .option('--sample <how>', 'ASHA: random (default), grid or shuffled-grid (seeded order)')
    .option('--name <name>', 'sweep name (trials are NAME-INDEX)')
    .option('--dataset <ref>', "the trials' dataset name[@version]")
    .option('--cpus <n>', 'CPU cores per trial (default 1)')
    .option('--memory <mb>', 'memory per trial in MB (default 512)')
    .option('--gpus <n>', 'whole GPUs per trial (default 0)')
    .option('--env <K=V>', 'environment variable for the trials (repeatable)', collect, [])
    .option('--cwd <dir>', 'working directory (default: the current one)')
    .option('--shell', 'run the command through sh -c')
    .option('--rules <file>', "JSON rules for every trial's session (stopIf, accept, onExit)")
    .option('--tag <tag>', 'a tag for every trial (repeatable)', collect, [])
    .option('--project <name>', 'the project the trials belong to')
    .option('--json', 'print the sweep as JSON')
    .action(async (argv: string[], flags: SweepFlags) => {
      const s = await new SweepsClient().create((await sweepBody(argv, flags)) as unknown as SweepSpec);
      if (flags.json) return printJson(s);
      process.stdout.write(`${s.id}\n`);
    });

  sweep
    .command('ls')
    .description('list sweeps, newest first')
    .option('--json', 'print the list as JSON')
    .action(async (flags: { json?: boolean }) => {
      const list = await new SweepsClient().list();
      if (flags.json) return printJson(list);
      const rows = [['ID', 'NAME', 'STATE', 'ALGO', 'METRIC', 'BEST', 'TRIALS', 'TRIAL-EPOCHS']];
      for (const s of list.sweeps) {
        rows.push([
          s.id,
          s.name,
          s.state,
          s.algorithm,
          `${s.mode} ${s.metric}`,
          formatNumber(s.best?.value),
          `${s.finished}/${s.trialCount}`,
          String(s.totalResource),
        ]);
      }
      process.stdout.write(table(rows));
    });

  sweep
    .command('show')
    .description("a sweep's trials (state, params, metric, rung) and its best so far")
    .argument('<id>', 'sweep id (w-…)')
    .option('--json', 'print the sweep as JSON')
    .action(async (id: string, flags: { json?: boolean }) => {
      const s = await new SweepsClient().get(id);
      if (flags.json) return printJson(s);
      printSweep(s);
    });

  sweep
    .command('stop')
    .description('stop a sweep: no new trial, active trials stopped')
    .argument('<id>', 'sweep id (w-…)')
    .action(async (id: string) => {
      const s = await new SweepsClient().stop(id);
      process.stdout.write(`sweep ${s.id} ${s.state}\n`);
    });
}
