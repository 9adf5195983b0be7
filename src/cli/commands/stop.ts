/** `swarmlab stop ID`: asks a session to stop (SDK first, then SIGTERM, SIGKILL after the grace period). */
import type { Command } from 'commander';
import { isTerminal } from '../../api/index.js';
import { SessionsClient } from '../../sdk/sessions.js';

export function registerStop(program: Command): void {
  program
    .command('stop')
    .description('stop a session')
    .argument('<id>', 'session id')
    .option('--reason <text>', 'recorded with the session')
    .option('--no-wait', 'return once the stop is asked for, without waiting for the session to end')
    .action(async (id: string, flags: { reason?: string; wait: boolean }) => {
      const sessions = new SessionsClient();
      let s = await sessions.stop(id, flags.reason);
      // Waiting follows the event stream to the exit rather than polling the record.
      if (flags.wait && !isTerminal(s.state)) s = await sessions.follow(id);
      process.stdout.write(`${s.id} ${s.state}\n`);
    });
}
