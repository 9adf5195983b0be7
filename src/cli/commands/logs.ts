/** `swarmlab logs ID [-f]`: a session's captured output; `-f` keeps following until the session ends. */
import type { Command } from 'commander';
import { isTerminal, type LogPage, type SessionRecord } from '../../api/index.js';
import { SessionsClient } from '../../sdk/sessions.js';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function print(page: LogPage): void {
  for (const l of page.lines) (l.stream === 'stderr' ? process.stderr : process.stdout).write(`${l.line}\n`);
}

/** Prints lines after `after` until the session has ended and every line is out; returns the final record. */
export async function followLogs(
  sessions: SessionsClient,
  id: string,
  after: number,
): Promise<SessionRecord> {
  let next = after;
  for (;;) {
    const session = await sessions.get(id);
    for (;;) {
      const page = await sessions.logs(id, { after: next });
      print(page);
      next = page.next;
      if (page.lines.length === 0) break;
    }
    // Lines are archived before the exit, so once ended and drained there is nothing more.
    if (isTerminal(session.state)) return session;
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
      const sessions = new SessionsClient();
      let next = 0;
      for (let first = true; ; first = false) {
        // `--tail` passes through as given: the manager checks it.
        const query =
          first && flags.tail !== undefined ? { tail: flags.tail as unknown as number } : { after: next };
        const page = await sessions.logs(id, query);
        print(page);
        next = page.next;
        if (page.lines.length === 0) break;
      }
      if (flags.follow) await followLogs(sessions, id, next);
    });
}
