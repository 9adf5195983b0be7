/** `swarmlab nodes`: every node's capacity and allocation, and how many sessions wait. */
import type { Command } from 'commander';
import { NodesClient } from '../../sdk/nodes.js';
import { printJson, table } from '../format.js';

const round = (n: number) => String(Math.round(n * 100) / 100);

export function registerNodes(program: Command): void {
  program
    .command('nodes')
    .description('list nodes with their capacity, allocation and sessions')
    .option('--json', 'print as JSON')
    .action(async (flags: { json?: boolean }) => {
      const res = await new NodesClient().list();
      if (flags.json) return printJson(res);
      const rows = [['NAME', 'ENGINE', 'POOL', 'CPUS', 'MEMORY MB', 'GPUS FREE', 'SESSIONS', 'LABELS']];
      for (const n of res.nodes) {
        rows.push([
          n.name,
          n.engine,
          n.pool,
          `${round(n.allocated.cpus)}/${round(n.capacity.cpus)}`,
          `${n.allocated.memoryMb}/${n.capacity.memoryMb}`,
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
