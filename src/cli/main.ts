/** The `swarmlab` command line: one sub-command per file under ./commands, each loaded only when it runs. */
import { Command } from 'commander';
import { isSwarmlabError } from '../errors/index.js';
import { VERSION } from '../util/version.js';

type Register = (program: Command) => void;

/**
 * Each command's module, by name. Only the command named on the command line is imported, so `swarmlab ps`
 * loads the sessions client and not the server (`up` and `serve` are the only ones that load it).
 */
const COMMANDS: Record<string, () => Promise<Register>> = {
  up: async () => (await import('./commands/up.js')).registerUp,
  run: async () => (await import('./commands/run.js')).registerRun,
  ps: async () => (await import('./commands/ps.js')).registerPs,
  compare: async () => (await import('./commands/compare.js')).registerCompare,
  logs: async () => (await import('./commands/logs.js')).registerLogs,
  stop: async () => (await import('./commands/stop.js')).registerStop,
  rm: async () => (await import('./commands/rm.js')).registerRm,
  artifacts: async () => (await import('./commands/artifacts.js')).registerArtifacts,
  sweep: async () => (await import('./commands/sweep.js')).registerSweep,
  nodes: async () => (await import('./commands/nodes.js')).registerNodes,
  retention: async () => (await import('./commands/retention.js')).registerRetention,
  events: async () => (await import('./commands/events.js')).registerEvents,
  dataset: async () => (await import('./commands/dataset.js')).registerDataset,
  model: async () => (await import('./commands/model.js')).registerModel,
  serve: async () => (await import('./commands/serve.js')).registerServe,
  token: async () => (await import('./commands/token.js')).registerToken,
  whoami: async () => (await import('./commands/token.js')).registerWhoami,
};

/** The commands to register: the one named, none for `--version`, all for help or an unknown name. */
function wanted(args: string[]): string[] {
  const name = args.find((a) => !a.startsWith('-'));
  if (name !== undefined && name in COMMANDS) return [name];
  if (name === undefined && args.some((a) => a === '-V' || a === '--version')) return [];
  return Object.keys(COMMANDS);
}

export async function main(argv: string[]): Promise<void> {
  const program = new Command('swarmlab')
    .description('Self-hosted DevOps for AI: datasets, training sessions, model generations, serving')
    .version(VERSION);
  try {
    for (const register of await Promise.all(wanted(argv.slice(2)).map((name) => COMMANDS[name]!())))
      register(program);
    await program.parseAsync(argv);
  } catch (err) {
    // Known failures print one line; anything else keeps its stack for a bug report.
    if (isSwarmlabError(err)) {
      process.stderr.write(`swarmlab: ${err.message}\n`);
      process.exitCode = 2;
    } else {
      throw err;
    }
  }
}
