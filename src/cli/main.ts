/** The `swarmlab` command line: one sub-command per file under ./commands. */
import { Command } from 'commander';
import { isSwarmlabError } from '../errors/index.js';
import { VERSION } from '../util/version.js';
import { registerUp } from './commands/up.js';

export async function main(argv: string[]): Promise<void> {
  const program = new Command('swarmlab')
    .description('Self-hosted DevOps for AI: datasets, training sessions, model generations, serving')
    .version(VERSION);
  registerUp(program);
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
