/** Waits for the processes marked by a fault run's environment variable to be gone. */
import { setTimeout as sleep } from 'node:timers/promises';
import { pidsWithEnv } from '../reap.js';

/** The marked processes still alive after `graceMs` (a job's wrapper may need a moment to exit). */
export async function survivors(name: string, value: string, graceMs: number): Promise<number[]> {
  const deadline = Date.now() + graceMs;
  for (;;) {
    const pids = await pidsWithEnv(name, value);
    if (pids.length === 0 || Date.now() > deadline) return pids;
    await sleep(100);
  }
}
