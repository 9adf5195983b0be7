/** `swarmlab nodes`: every node's capacity and allocation, and how many sessions wait. */
import type { Command } from 'commander';
import type { NodeSnapshot, QueuedSnapshot } from '../../scheduler/index.js';
import { SwarmlabClient } from '../../sdk/index.js';
import { table } from './ps.js';

const round = (n: number) => String(Math.round(n * 100) / 100);

export function registerNodes(program: Command): void {
  program
    .command('nodes')
    .description('list nodes with their capacity, allocation and sessions')
    .option('--json', 'print as JSON')
    .action(async (flags: { json?: boolean }) => {
      const client = new SwarmlabClient();
      const res = await client.json<{ nodes: NodeSnapshot[]; queue: QueuedSnapshot[] }>(
        'GET',
        '/api/v1/nodes',
      );
      if (flags.json) {
        process.stdout.write(`${JSON.stringify(res, null, 2)}\n`);
        return;
      }
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
