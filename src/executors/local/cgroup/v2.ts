/** cgroup v2: one directory per session in the unified hierarchy, with memory.max and cpu.max. */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type CgroupBackend, MIB, PARENT, PERIOD_US, quotaUs } from './backend.js';
import { readKeyed, readNumber, writeOptional } from './files.js';

const CONTROLLERS = ['cpu', 'memory'];

/** The v2 backend under this process's own cgroup `own`; throws, saying why, when it cannot be used. */
export async function v2Backend(own: string | undefined): Promise<CgroupBackend> {
  if (own === undefined) throw new Error('no cgroup2 hierarchy is mounted');
  const available = (await readFile(join(own, 'cgroup.controllers'), 'utf8')).split(/\s+/);
  const missing = CONTROLLERS.filter((c) => !available.includes(c));
  if (missing.length > 0) throw new Error(`${own} offers no ${missing.join(' or ')} controller`);
  const parent = join(own, PARENT);
  // A child gets a controller only once every level above enables it for its children. A non-root cgroup that holds
  // processes (ours does: the manager) cannot (EBUSY, "no internal processes"), so that case reports itself here,
  // before anything is made.
  await enableControllers(own);
  await mkdir(parent, { recursive: true });
  await enableControllers(parent);
  return {
    kind: 'cgroup-v2',
    parents: [parent],
    async limit([dir], grant) {
      if (grant.memoryMb > 0) {
        await writeFile(join(dir!, 'memory.max'), String(grant.memoryMb * MIB));
        // The grant is RAM: going over it ends in the OOM killer, as in a container, not in swapping.
        await writeOptional(join(dir!, 'memory.swap.max'), '0');
      }
      if (grant.cpus > 0) await writeFile(join(dir!, 'cpu.max'), `${quotaUs(grant.cpus)} ${PERIOD_US}`);
    },
    async read([dir]) {
      const cpu = readKeyed(join(dir!, 'cpu.stat'));
      const events = readKeyed(join(dir!, 'memory.events'));
      if (!cpu || !events) return undefined;
      // memory.peak came with Linux 5.19.
      const peak = readNumber(join(dir!, 'memory.peak'));
      return {
        usage: {
          cpuSeconds: (cpu.get('usage_usec') ?? 0) / 1e6,
          ...(peak !== undefined ? { peakMemoryMb: peak / MIB } : {}),
        },
        oomKills: events.get('oom_kill') ?? 0,
      };
    },
    async sample([dir]) {
      const cpu = readKeyed(join(dir!, 'cpu.stat'));
      // `anon`: anonymous memory, page cache left out (memory.current counts it).
      const anon = readKeyed(join(dir!, 'memory.stat'))?.get('anon');
      if (!cpu || anon === undefined) return undefined;
      const peak = readNumber(join(dir!, 'memory.peak'));
      return {
        cpuSeconds: (cpu.get('usage_usec') ?? 0) / 1e6,
        rssMb: anon / MIB,
        ...(peak !== undefined ? { peakMb: peak / MIB } : {}),
      };
    },
  };
}

async function enableControllers(dir: string): Promise<void> {
  try {
    await writeFile(join(dir, 'cgroup.subtree_control'), CONTROLLERS.map((c) => `+${c}`).join(' '));
  } catch (err) {
    throw new Error(`cannot enable ${CONTROLLERS.join(' and ')} for the cgroups under ${dir}`, {
      cause: err,
    });
  }
}
