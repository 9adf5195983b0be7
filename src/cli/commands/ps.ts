/** `swarmlab ps`: sessions newest first, as a table (or JSON). */
import type { Command } from 'commander';
import type { SessionState } from '../../api/index.js';
import { SessionsClient } from '../../sdk/sessions.js';
import { outcomeOf, printJson, runtimeOf, table } from '../format.js';

interface PsFlags {
  state?: string;
  limit?: string;
  offset?: string;
  json?: boolean;
}

export function registerPs(program: Command): void {
  program
    .command('ps')
    .description('list sessions, newest first')
    .option('--state <state>', 'only sessions in this state (queued, running, failed, …)')
    .option('--limit <n>', 'how many (default 20, at most 1000)', '20')
    .option('--offset <n>', 'skip this many first', '0')
    .option('--json', 'print the page as JSON')
    .action(async (flags: PsFlags) => {
      // Passed through as given: the manager checks them and names the bad one.
      const page = await new SessionsClient().list({
        state: flags.state as SessionState | undefined,
        limit: flags.limit as unknown as number,
        offset: flags.offset as unknown as number,
      });
      if (flags.json) return printJson(page);
      const rows = [['ID', 'NAME', 'STATE', 'POOL', 'PRI', 'NODE', 'GPUS', 'RUNTIME', 'EXIT', 'REASON']];
      for (const s of page.sessions) {
        rows.push([
          s.id,
          s.name,
          s.state,
          s.pool,
          String(s.priority),
          s.placement?.node ?? '',
          s.placement?.gpus.join(',') ?? '',
          runtimeOf(s),
          outcomeOf(s),
          s.reason ?? '',
        ]);
      }
      process.stdout.write(table(rows));
      const shown = page.offset + page.sessions.length;
      if (shown < page.total)
        process.stdout.write(`(${shown} of ${page.total}; --offset ${shown} for more)\n`);
    });
}
