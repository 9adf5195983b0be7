/** `swarmlab nodes`: every node's capacity, allocation and use, and how many sessions wait. */
import type { Command } from 'commander';
import { NodesClient } from '../../sdk/nodes.js';
import { printJson, table } from '../format.js';

const round = (n: number) => String(Math.round(n * 100) / 100);

export function registerNodes(program: Command): void {
  program
    .command('nodes')
    .description('list nodes with their capacity, allocation, use and sessions')
    .option('--json', 'print as JSON')
    .action(async (flags: { json?: boolean }) => {
      const res = await new NodesClient().list();
      if (flags.json) return printJson(res);
      const rows = [
        [
          'NAME',
          'ENGINE',
          'POOL',
          'CPUS',
          'CPUS USED',
          'MEMORY MB',
          'MB USED',
          'GPUS FREE',
          'SESSIONS',
          'LABELS',
        ],
      ];
      for (const n of res.nodes) {
        rows.push([
          n.name,
          n.engine,
          n.pool,
          `${round(n.allocated.cpus)}/${round(n.capacity.cpus)}`,
          n.used ? round(n.used.cpus) : '-',
          `${n.allocated.memoryMb}/${n.capacity.memoryMb}`,
          n.used ? String(Math.round(n.used.memoryMb)) : '-',
          `${n.free.gpus}/${n.capacity.gpus}`,
          String(n.sessions.length),
          Object.entries(n.labels)
            .map(([k, v]) => `${k}=${v}`)
            .join(','),
        ]);
      }
      process.stdout.write(table(rows));
      process.stdout.write(`${res.queue.length} session(s) queued\n`);
    });
}
