/** cgroup v1: a session directory under each of the memory, cpu and cpuacct controllers' mounts. */
import { mkdir, realpath, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type CgroupBackend, MIB, PARENT, PERIOD_US, quotaUs } from './backend.js';
import { readKeyed, readNumber, writeOptional } from './files.js';

const CONTROLLERS = ['memory', 'cpu', 'cpuacct'] as const;
type Controller = (typeof CONTROLLERS)[number];

/** The v1 backend under this process's own cgroup in each controller (`own`); throws, saying why, when unusable. */
export async function v1Backend(own: ReadonlyMap<string, string>): Promise<CgroupBackend> {
  const missing = CONTROLLERS.filter((c) => !own.has(c));
  if (missing.length > 0) throw new Error(`no cgroup v1 ${missing.join(', ')} controller is mounted`);
  // cpu and cpuacct are often mounted together (`cpu,cpuacct`): one directory then serves both.
  const real = await Promise.all(CONTROLLERS.map((c) => realpath(own.get(c)!)));
  const parents = [...new Set(real)].map((d) => join(d, PARENT));
  const at = Object.fromEntries(
    CONTROLLERS.map((c, i) => [c, parents.indexOf(join(real[i]!, PARENT))]),
  ) as Record<Controller, number>;
  for (const p of parents) await mkdir(p, { recursive: true });
  return {
    kind: 'cgroup-v1',
    parents,
    async limit(dirs, grant) {
      const memory = dirs[at.memory]!;
      const cpu = dirs[at.cpu]!;
      if (grant.memoryMb > 0) {
        const bytes = String(grant.memoryMb * MIB);
        await writeFile(join(memory, 'memory.limit_in_bytes'), bytes);
        // The grant is RAM (memory + swap = memory), so going over it ends in the OOM killer, not in swapping.
        await writeOptional(join(memory, 'memory.memsw.limit_in_bytes'), bytes);
      }
      if (grant.cpus > 0) {
        await writeFile(join(cpu, 'cpu.cfs_period_us'), String(PERIOD_US));
        await writeFile(join(cpu, 'cpu.cfs_quota_us'), String(quotaUs(grant.cpus)));
      }
    },
    async read(dirs) {
      const memory = dirs[at.memory]!;
      const cpuNs = readNumber(join(dirs[at.cpuacct]!, 'cpuacct.usage'));
      const oom = readKeyed(join(memory, 'memory.oom_control'));
      const peak = readNumber(join(memory, 'memory.max_usage_in_bytes'));
      if (cpuNs === undefined || oom === undefined || peak === undefined) return undefined;
      return {
        usage: { cpuSeconds: cpuNs / 1e9, peakMemoryMb: peak / MIB },
        // `oom_kill` is counted since Linux 4.13.
        oomKills: oom.get('oom_kill') ?? 0,
      };
    },
    async sample(dirs) {
      const memory = dirs[at.memory]!;
      const cpuNs = readNumber(join(dirs[at.cpuacct]!, 'cpuacct.usage'));
      // `total_rss`: anonymous memory of the whole subtree, page cache left out (usage_in_bytes counts it).
      const rss = readKeyed(join(memory, 'memory.stat'))?.get('total_rss');
      const peak = readNumber(join(memory, 'memory.max_usage_in_bytes'));
      if (cpuNs === undefined || rss === undefined) return undefined;
      return {
        cpuSeconds: cpuNs / 1e9,
        rssMb: rss / MIB,
        ...(peak !== undefined ? { peakMb: peak / MIB } : {}),
      };
    },
  };
}
