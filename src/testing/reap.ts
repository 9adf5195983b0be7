/**
 * Finds processes by a marker in their environment, which every process a session starts inherits, and kills the
 * jobs a test manager left behind. Local jobs outlive their manager by design (a restarted manager re-attaches
 * them), so a test that ends with sessions running would leave them burning CPU for the rest of the run.
 */
import { readdir, readFile } from 'node:fs/promises';

/** Pids whose environment holds `NAME=value` (processes of other users, or gone meanwhile, are skipped). */
export async function pidsWithEnv(name: string, value: string): Promise<number[]> {
  // NULs on both sides keep `…:7070` from matching `…:70701`; the first variable has none before it, so add one.
  const needle = `\0${name}=${value}\0`;
  const pids: number[] = [];
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (`\0${await readFile(`/proc/${entry}/environ`, 'latin1')}`.includes(needle))
        pids.push(Number(entry));
    } catch {
      // Gone, or not ours to read.
    }
  }
  return pids;
}

/** SIGKILLs every process whose environment says it belongs to the manager at `url`; returns how many. */
export async function reapJobs(url: string): Promise<number> {
  let killed = 0;
  for (const pid of await pidsWithEnv('SWARMLAB_URL', url)) {
    try {
      process.kill(pid, 'SIGKILL');
      killed++;
    } catch {
      // already gone
    }
  }
  return killed;
}
