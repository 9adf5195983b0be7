/**
 * Kills the jobs a test manager left behind. Local jobs outlive their manager by design (a restarted manager
 * re-attaches them), so a test that ends with sessions running would leave them burning CPU for the rest of the run.
 */
import { readdir, readFile } from 'node:fs/promises';

/** SIGKILLs every process whose environment says it belongs to the manager at `url`; returns how many. */
export async function reapJobs(url: string): Promise<number> {
  const marker = Buffer.from(`\0SWARMLAB_URL=${url}\0`);
  let killed = 0;
  for (const name of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(name)) continue;
    const env = await readFile(`/proc/${name}/environ`).catch(() => undefined);
    // The leading NUL keeps `…:7070` from matching `…:70701`; the first variable has none, so prepend one.
    if (!env || !Buffer.concat([Buffer.from([0]), env]).includes(marker)) continue;
    try {
      process.kill(Number(name), 'SIGKILL');
      killed++;
    } catch {
      // already gone
    }
  }
  return killed;
}
