/**
 * CLI start-up: wall time of `node -e 0`, `swarmlab --version` and `swarmlab ps` (against a manager this process
 * starts in a temp data dir on a random port), N runs each, interleaved so machine load hits all three alike.
 * Prints p50/p90 and the ratio to bare node; the target is p50 ≤ 2× bare node for both commands.
 * Runs the built CLI (bin/swarmlab.js → dist): `npm run build` first. Usage: node --import tsx bench/cli.ts [N]
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pino } from 'pino';
import { startManager } from '../src/app.js';
import { resolveConfig } from '../src/config/index.js';
import { ascending, percentile } from './percentile.js';

const N = Number(process.argv[2] ?? 30);
const bin = resolve(import.meta.dirname, '../bin/swarmlab.js');
if (!existsSync(resolve(import.meta.dirname, '../dist/cli/main.js'))) {
  console.error('bench:cli needs the built CLI: run `npm run build` first');
  process.exit(1);
}

const dir = await mkdtemp(join(tmpdir(), 'swarmlab-bench-cli-'));
const config = resolveConfig({ dataDir: dir, port: 0, localNode: false });
const manager = await startManager(config, { logger: pino({ level: 'warn' }) });
const env = { ...process.env, SWARMLAB_URL: manager.url, SWARMLAB_TOKEN: manager.token };

/** Milliseconds from spawn to exit; a non-zero exit fails the benchmark (it would measure an error path). */
function timed(args: string[]): Promise<number> {
  const start = performance.now();
  return new Promise((res, rej) => {
    const child = spawn(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let err = '';
    child.stderr.on('data', (d) => {
      err += String(d);
    });
    child.once('exit', (code) =>
      code === 0
        ? res(performance.now() - start)
        : rej(new Error(`${args.join(' ')} exited ${code}: ${err}`)),
    );
  });
}

const cases = {
  'node -e 0': ['-e', '0'],
  'swarmlab --version': [bin, '--version'],
  'swarmlab ps': [bin, 'ps'],
} as const;
type Case = keyof typeof cases;
const times: Record<Case, number[]> = { 'node -e 0': [], 'swarmlab --version': [], 'swarmlab ps': [] };

try {
  for (const args of Object.values(cases)) await timed([...args]); // warm the page cache once
  for (let i = 0; i < N; i++) {
    for (const [name, args] of Object.entries(cases) as [Case, readonly string[]][]) {
      times[name].push(await timed([...args]));
    }
  }
  const base = percentile(ascending(times['node -e 0']), 50);
  console.log(`CLI start-up, ${N} runs each (ms)`);
  for (const name of Object.keys(cases) as Case[]) {
    const sorted = ascending(times[name]);
    const p50 = percentile(sorted, 50);
    const p90 = percentile(sorted, 90);
    console.log(
      `${name.padEnd(20)} p50 ${p50.toFixed(1).padStart(7)}  p90 ${p90.toFixed(1).padStart(7)}  ×${(p50 / base).toFixed(2)} bare node`,
    );
  }
} finally {
  await manager.close();
  await rm(dir, { recursive: true, force: true });
}
