/** `swarmlab logs ID [-f]`: a session's captured output; `-f` keeps following until the session ends. */
import type { Command } from 'commander';
import { SwarmlabClient } from '../../sdk/index.js';
import type { LogPage, SessionRecord } from '../../sessions/index.js';
import { isEnded } from './ps.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function print(page: LogPage): void {
  for (const l of page.lines) (l.stream === 'stderr' ? process.stderr : process.stdout).write(`${l.line}\n`);
}

/** Prints lines after `after` until the session has ended and every line is out; returns the final record. */
export async function followLogs(client: SwarmlabClient, id: string, after: number): Promise<SessionRecord> {
  let next = after;
  for (;;) {
    const session = await client.json<SessionRecord>('GET', `/api/v1/sessions/${id}`);
    for (;;) {
      const page = await client.json<LogPage>('GET', `/api/v1/sessions/${id}/logs`, {
        query: { after: next },
      });
      print(page);
      next = page.next;
      if (page.lines.length === 0) break;
    }
    // Lines are archived before the exit, so once ended and drained there is nothing more.
    if (isEnded(session.state)) return session;
    await sleep(300);
  }
}

interface LogsFlags {
  follow?: boolean;
  tail?: string;
}

export function registerLogs(program: Command): void {
  program
    .command('logs')
    .description("print a session's output (stdout and stderr lines)")
    .argument('<id>', 'session id')
    .option('-f, --follow', 'keep printing new lines until the session ends')
    .option('--tail <n>', 'only the last N lines')
    .action(async (id: string, flags: LogsFlags) => {
      const client = new SwarmlabClient();
      let next = 0;
      for (let first = true; ; first = false) {
        const query = first && flags.tail !== undefined ? { tail: flags.tail } : { after: next };
        const page = await client.json<LogPage>('GET', `/api/v1/sessions/${id}/logs`, { query });
        print(page);
        next = page.next;
        if (page.lines.length === 0) break;
      }
      if (flags.follow) await followLogs(client, id, next);
    });
}
