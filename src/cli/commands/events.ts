/** `swarmlab events [-f]`: the event archive, one line per event; `-f` keeps following live events. */
import type { Command } from 'commander';
import type { SwarmEvent } from '../../api/index.js';
import { EventsClient } from '../../sdk/events-client.js';

interface EventsFlags {
  follow?: boolean;
  session?: string;
  type?: string[];
  after?: string;
  limit?: string;
  json?: boolean;
}

const clip = (s: string, n = 100): string => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const num = (x: number): string => (Number.isInteger(x) ? String(x) : x.toPrecision(4));
const pairs = (r: Record<string, number>): string =>
  Object.entries(r)
    .map(([k, v]) => `${k}=${num(v)}`)
    .join(' ');

/** A short human summary of an event's payload. */
export function summarize(e: SwarmEvent): string {
  switch (e.type) {
    case 'session.metric': {
      const last = new Map(
        e.data.points.map(([name, value, step]) => [name, `${name}=${num(value)}@${step}`]),
      );
      return `${e.data.points.length} points ${[...last.values()].join(' ')}`;
    }
    case 'session.epoch':
      return `epoch ${e.data.epoch}${e.data.total === undefined ? '' : `/${e.data.total}`} ${pairs(e.data.metrics)}`;
    case 'session.log':
      return `[${e.data.stream}] ${e.data.lines.join(' ⏎ ')}`;
    default:
      return JSON.stringify(e.data);
  }
}

export function formatEvent(e: SwarmEvent): string {
  const time = new Date(e.time).toISOString().replace('T', ' ').replace('Z', '');
  const who = e.sessionId ?? e.model ?? '-';
  return clip(`${time}  #${e.cursor}  ${e.type.padEnd(20)} ${who.padEnd(16)} ${summarize(e)}`, 200);
}

export function registerEvents(program: Command): void {
  program
    .command('events')
    .description('print archived events (time, cursor, type, session, payload); -f follows live ones')
    .option('-f, --follow', 'keep printing new events (resumes after a dropped connection)')
    .option('--session <id>', 'only this session')
    .option('--type <type...>', 'only these types or prefixes (session.*); repeatable or comma separated')
    .option('--after <cursor>', 'start after this cursor (default: the start; with -f: now)')
    .option('--limit <n>', 'events to print without -f (default 100)')
    .option('--json', 'one JSON object per line')
    .action(async (flags: EventsFlags) => {
      const events = new EventsClient();
      const print = (e: SwarmEvent): void => {
        process.stdout.write(`${flags.json ? JSON.stringify(e) : formatEvent(e)}\n`);
      };
      const types = flags.type?.flatMap((t) => t.split(',')).filter(Boolean);
      const after = flags.after === undefined ? undefined : Number(flags.after);
      if (!flags.follow) {
        // `--limit` passes through as given: the manager checks it.
        const limit = (flags.limit ?? 100) as number;
        const page = await events.page({ after: after ?? 0, session: flags.session, types, limit });
        for (const e of page.events) print(e);
        return;
      }
      const follower = await events.follow({ after, session: flags.session, types }, print);
      const stop = () => void follower.close();
      process.once('SIGINT', stop);
      process.once('SIGTERM', stop);
      await follower.done;
    });
}
