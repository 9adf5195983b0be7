/** `swarmlab stop ID`: asks a session to stop (SDK first, then SIGTERM, SIGKILL after the grace period). */
import type { Command } from 'commander';
import { SwarmlabClient } from '../../sdk/index.js';
import type { SessionRecord } from '../../sessions/index.js';
import { isEnded } from './ps.js';

export function registerStop(program: Command): void {
  program
    .command('stop')
    .description('stop a session')
    .argument('<id>', 'session id')
    .option('--reason <text>', 'recorded with the session')
    .option('--no-wait', 'return once the stop is asked for, without waiting for the session to end')
    .action(async (id: string, flags: { reason?: string; wait: boolean }) => {
      const client = new SwarmlabClient();
      let s = await client.json<SessionRecord>('POST', `/api/v1/sessions/${id}/stop`, {
        body: flags.reason ? { reason: flags.reason } : {},
      });
      while (flags.wait && !isEnded(s.state)) {
        await new Promise((r) => setTimeout(r, 200));
        s = await client.json<SessionRecord>('GET', `/api/v1/sessions/${id}`);
      }
      process.stdout.write(`${s.id} ${s.state}\n`);
    });
}
