/** `swarmlab retention [--run]`: the retention policy in force and what it removed; `--run` applies it now. */
import type { Command } from 'commander';
import type { LogBounds, RetentionCounts, RetentionPolicy } from '../../api/index.js';
import { RetentionClient } from '../../sdk/retention.js';
import { formatDuration } from '../../util/duration.js';
import { printJson, table } from '../format.js';

const bounds = (b: LogBounds): string =>
  [
    b.maxAgeMs === undefined ? '' : `older than ${formatDuration(b.maxAgeMs)}`,
    b.maxEntries === undefined ? '' : `beyond the newest ${b.maxEntries}`,
  ]
    .filter(Boolean)
    .join(', ') || 'kept';

function sessions(p: RetentionPolicy['sessions']): string {
  if (p.olderThanMs === undefined) return 'kept';
  const best = p.keepBest ? `, except each project's best ${p.keepBest.count} by ${p.keepBest.order}` : '';
  return `ended more than ${formatDuration(p.olderThanMs)} ago${best}`;
}

const counts = (c: RetentionCounts): string =>
  `${c.events} events, ${c.logLines} log lines, ${c.metricBatches} metric batches, ${c.sessions} sessions`;

export function registerRetention(program: Command): void {
  program
    .command('retention')
    .description('show the retention policy and what it removed; --run applies it now')
    .option('--run', 'apply the policy now, until nothing is left')
    .option('--json', 'print as JSON')
    .action(async (flags: { run?: boolean; json?: boolean }) => {
      const client = new RetentionClient();
      if (flags.run) {
        const run = await client.run();
        if (flags.json) return printJson(run);
        process.stdout.write(`Removed ${counts(run.removed)} in ${formatDuration(run.ms)}.\n`);
        return;
      }
      const status = await client.status();
      if (flags.json) return printJson(status);
      const { policy } = status;
      process.stdout.write(
        table([
          ['DATA', 'DROPPED'],
          ['events', bounds(policy.events)],
          ['session logs', bounds(policy.logs)],
          ['metric series', bounds(policy.metrics)],
          ['sessions', sessions(policy.sessions)],
        ]),
      );
      process.stdout.write(
        `Every ${formatDuration(policy.intervalMs)}; removed so far (${status.passes} passes): ${counts(status.totals)}.\n`,
      );
    });
}
