/** The `swarmlab` command line: one sub-command per file under ./commands. */
import { Command } from 'commander';
import { isSwarmlabError } from '../errors/index.js';
import { VERSION } from '../util/version.js';
import { registerDataset } from './commands/dataset.js';
import { registerEvents } from './commands/events.js';
import { registerLogs } from './commands/logs.js';
import { registerModel } from './commands/model.js';
import { registerNodes } from './commands/nodes.js';
import { registerPs } from './commands/ps.js';
import { registerRun } from './commands/run.js';
import { registerServe } from './commands/serve.js';
import { registerStop } from './commands/stop.js';
import { registerUp } from './commands/up.js';

export async function main(argv: string[]): Promise<void> {
  const program = new Command('swarmlab')
    .description('Self-hosted DevOps for AI: datasets, training sessions, model generations, serving')
    .version(VERSION);
  registerUp(program);
  registerRun(program);
  registerPs(program);
  registerLogs(program);
  registerStop(program);
  registerNodes(program);
  registerEvents(program);
  registerDataset(program);
  registerModel(program);
  registerServe(program);
  try {
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
