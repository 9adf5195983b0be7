/** `swarmlab compare ID ID…`: sessions side by side — params (differing ones marked `*`) and metric summaries. */
import type { Command } from 'commander';
import type { Comparison, MetricSummary } from '../../api/index.js';
import { SessionsClient } from '../../sdk/sessions.js';
import { formatNumber, printJson, table } from '../format.js';

interface CompareFlags {
  metrics?: string;
  json?: boolean;
}

const summary = (m: MetricSummary | undefined): string =>
  m ? `${formatNumber(m.last)} [${formatNumber(m.min)}…${formatNumber(m.max)}]` : '';

/** Rows: one per session field, param and metric; one column per session. */
export function comparisonTable(c: Comparison): string {
  const differs = new Set(c.params);
  const params = [...new Set(c.sessions.flatMap((s) => Object.keys(s.params)))].sort();
  const metrics = [...new Set(c.sessions.flatMap((s) => Object.keys(s.metrics)))].sort();
  const row = (title: string, cell: (i: number) => string) => [title, ...c.sessions.map((_, i) => cell(i))];
  const rows = [
    row('', (i) => c.sessions[i]!.id),
    row('name', (i) => c.sessions[i]!.name),
    row('state', (i) => c.sessions[i]!.state),
    row('project', (i) => c.sessions[i]!.project ?? ''),
    row('tags', (i) => c.sessions[i]!.tags.join(',')),
    ...params.map((p) =>
      row(`${differs.has(p) ? '* ' : '  '}${p}`, (i) => {
        const v = c.sessions[i]!.params[p];
        return v === undefined ? '' : String(v);
      }),
    ),
    ...metrics.map((m) => row(`${m} last [min…max]`, (i) => summary(c.sessions[i]!.metrics[m]))),
  ];
  return table(rows);
}

export function registerCompare(program: Command): void {
  program
    .command('compare')
    .description('compare sessions: params (differing ones marked *) and metrics (last [min…max])')
    .argument('<ids...>', 'session ids (up to 100)')
    .option('--metrics <names>', 'only these metrics, comma-separated')
    .option('--json', 'print the comparison as JSON, series included')
    .action(async (ids: string[], flags: CompareFlags) => {
      const comparison = await new SessionsClient().compare(ids, {
        ...(flags.metrics ? { metrics: flags.metrics.split(',') } : {}),
        // The table shows summaries only: fetch no more of the series than JSON output needs.
        ...(flags.json ? {} : { maxPoints: 2 }),
      });
      if (flags.json) return printJson(comparison);
      process.stdout.write(comparisonTable(comparison));
    });
}
