/** `swarmlab ps`: sessions as a table (or JSON), newest first or sorted by a field, param or metric. */
import type { Command } from 'commander';
import { parseOrder, type SessionListItem, type SessionState } from '../../api/index.js';
import { SessionsClient } from '../../sdk/sessions.js';
import { collect, pairs } from '../flags.js';
import { formatNumber, outcomeOf, printJson, runtimeOf, table } from '../format.js';

interface PsFlags {
  state?: string;
  project?: string;
  tag: string[];
  param: string[];
  sort?: string;
  limit?: string;
  offset?: string;
  json?: boolean;
}

/** `--sort -val_accuracy` → `-metric.val_accuracy`; `createdAt`, `name`, `metric.…` and `param.…` as given. */
export function orderOf(sort: string): string {
  const desc = sort.startsWith('-') ? '-' : '';
  const body = desc ? sort.slice(1) : sort;
  const known = body === 'createdAt' || body === 'name' || /^(metric|param)\./.test(body);
  return `${desc}${known ? body : `metric.${body}`}`;
}

/** The sorted-by value as a column: a param's, or the metric summary field sorted by. */
function sortColumn(order: string): { title: string; cell: (s: SessionListItem) => string } | undefined {
  const o = parseOrder(order);
  switch (o.key) {
    case 'param':
      return {
        title: o.name.toUpperCase(),
        cell: (s) => (o.name in s.params ? String(s.params[o.name]) : ''),
      };
    case 'metric':
      return {
        title: (o.field === 'last' ? o.name : `${o.name}.${o.field}`).toUpperCase(),
        cell: (s) => formatNumber(s.metrics?.[o.name]?.[o.field]),
      };
    default:
      return undefined;
  }
}

export function registerPs(program: Command): void {
  program
    .command('ps')
    .description('list sessions, newest first (or --sort)')
    .option('--state <state>', 'only sessions in this state (queued, running, failed, …)')
    .option('--project <name>', 'only sessions of this project')
    .option('--tag <tag>', 'only sessions with this tag (repeatable: all of them)', collect, [])
    .option('--param <k=v>', 'only sessions with this param value (repeatable)', collect, [])
    .option(
      '--sort <key>',
      '[-]METRIC (its last value), [-]metric.NAME.min|max, [-]param.NAME, createdAt, name',
    )
    .option('--limit <n>', 'how many (default 20, at most 1000)', '20')
    .option('--offset <n>', 'skip this many first', '0')
    .option('--json', 'print the page as JSON')
    .action(async (flags: PsFlags) => {
      const order = flags.sort === undefined ? undefined : orderOf(flags.sort);
      // Passed through as given: the manager checks them and names the bad one.
      const page = await new SessionsClient().list({
        state: flags.state as SessionState | undefined,
        project: flags.project,
        tags: flags.tag,
        params: pairs('--param', flags.param),
        order,
        limit: flags.limit as unknown as number,
        offset: flags.offset as unknown as number,
      });
      if (flags.json) return printJson(page);
      const extra = order === undefined ? undefined : sortColumn(order);
      const rows = [
        [
          'ID',
          'NAME',
          'STATE',
          'PROJECT',
          'TAGS',
          ...(extra ? [extra.title] : []),
          'POOL',
          'PRI',
          'NODE',
          'GPUS',
          'RUNTIME',
          'EXIT',
          'REASON',
        ],
      ];
      for (const s of page.sessions) {
        rows.push([
          s.id,
          s.name,
          s.state,
          s.project ?? '',
          s.tags?.join(',') ?? '',
          ...(extra ? [extra.cell(s)] : []),
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
