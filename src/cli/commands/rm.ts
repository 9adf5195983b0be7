/** `swarmlab rm ID…`: deletes ended sessions with their logs, events, metrics and artifacts. */
import type { Command } from 'commander';
import { SessionsClient } from '../../sdk/sessions.js';

export function registerRm(program: Command): void {
  program
    .command('rm')
    .description('delete ended sessions with everything they recorded (an active one must be stopped first)')
    .argument('<ids...>', 'session ids')
    .action(async (ids: string[]) => {
      const sessions = new SessionsClient();
      for (const id of ids) {
        const d = await sessions.delete(id);
        process.stdout.write(`${d.id} deleted (${d.events} event(s), ${d.freedBlobs} blob(s) freed)\n`);
      }
    });
}
