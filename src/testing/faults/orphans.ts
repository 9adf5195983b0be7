/** Finds processes by a marker in their environment, which every process a session starts inherits. */
import { readdir, readFile } from 'node:fs/promises';
import { setTimeout as sleep } from 'node:timers/promises';

/** Pids whose environment holds `NAME=value` (processes of other users, or gone meanwhile, are skipped). */
export async function pidsWithEnv(name: string, value: string): Promise<number[]> {
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

/** The marked processes still alive after `graceMs` (a job's wrapper may need a moment to exit). */
export async function survivors(name: string, value: string, graceMs: number): Promise<number[]> {
  const deadline = Date.now() + graceMs;
  for (;;) {
    const pids = await pidsWithEnv(name, value);
    if (pids.length === 0 || Date.now() > deadline) return pids;
    await sleep(100);
  }
}
