/** `swarmlab ps`: sessions newest first, as a table (or JSON). Also the table helpers other session commands use. */
import type { Command } from 'commander';
import { SwarmlabClient } from '../../sdk/index.js';
import type { SessionPage, SessionRecord } from '../../sessions/index.js';
import { formatDuration } from '../../util/duration.js';

const ENDED = new Set(['succeeded', 'failed', 'stopped', 'rejected', 'lost']);

/** True for the final states (the CLI talks HTTP only, so it keeps its own copy of the list). */
export const isEnded = (state: string): boolean => ENDED.has(state);

/** Left-aligned columns, two spaces apart. */
export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return `${rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n')}\n`;
}

export function outcomeOf(s: SessionRecord): string {
  if (s.signal) return s.signal;
  if (s.exitCode !== null) return String(s.exitCode);
  return '';
}

export function runtimeOf(s: SessionRecord, now = Date.now()): string {
  if (s.startedAt === undefined) return '';
  return formatDuration((s.endedAt ?? now) - s.startedAt);
}

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
      const client = new SwarmlabClient();
      const page = await client.json<SessionPage>('GET', '/api/v1/sessions', {
        query: { state: flags.state, limit: flags.limit, offset: flags.offset },
      });
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(page, null, 2)}\n`);
        return;
      }
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
