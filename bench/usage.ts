/**
 * Usage sampling overhead: a real manager runs N sleeping sessions (in cgroups where the machine has them); its CPU
 * time is measured over the same wall time first with the usage sampler stopped (the idle manager's baseline), then
 * with it sampling at its interval. Prints the sampler's own CPU time (measured around each tick) per second of wall
 * as % of one core (target < 2 % for 100 sessions at the default 5 s), and the whole manager's in both phases.
 * Usage: node --import tsx bench/usage.ts [N=100] [seconds per phase=30] [interval=5s]
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { startManager } from '../src/app.js';
import { resolveConfig } from '../src/config/index.js';

const N = Number(process.argv[2] ?? 100);
const SECONDS = Number(process.argv[3] ?? 30);
const INTERVAL = process.argv[4] ?? '5s';

const dir = await mkdtemp(join(tmpdir(), 'swarmlab-bench-usage-'));
const nodes = { nodes: [{ name: 'bench', capacity: { cpus: 64, memoryMb: 64_000, gpus: [] } }] };
await writeFile(join(dir, 'nodes.json'), JSON.stringify(nodes));
const config = resolveConfig({
  dataDir: dir,
  port: 0,
  nodes: join(dir, 'nodes.json'),
  localNode: false,
  usageInterval: INTERVAL,
});
const manager = await startManager(config, { logger: pino({ level: 'warn' }) });
const { sessions, usage } = manager.services;
await usage.stop();

const ids: string[] = [];
for (let i = 0; i < N; i++) {
  const s = await sessions.submit({ command: ['sleep', '3600'], resources: { cpus: 0.1, memoryMb: 16 } });
  ids.push(s.id);
}
while (sessions.running().length < N) await sleep(200);
const isolation = (await sessions.get(ids[0]!)).handle?.isolation ?? 'none';
// Start-up work (spawning, records, output followers) settles before measuring.
await sleep(3000);

/** The manager process's CPU time over `SECONDS` of wall, as % of one core. */
async function phase(): Promise<number> {
  const before = process.cpuUsage();
  const t0 = performance.now();
  await sleep(SECONDS * 1000);
  const cpu = process.cpuUsage(before);
  return ((cpu.user + cpu.system) / 1000 / (performance.now() - t0)) * 100;
}

const idle = await phase();
usage.start();
const s0 = usage.stats;
const t0 = performance.now();
const sampling = await phase();
const s1 = usage.stats;
const wallMs = performance.now() - t0;
await usage.stop();
// Back to back, so little else runs inside a tick: its cost alone, and what it would be at the interval.
const REPEAT = 20;
const r0 = usage.stats;
for (let i = 0; i < REPEAT; i++) await usage.tick();
const backToBackMs = ((usage.stats.cpuSeconds - r0.cpuSeconds) * 1000) / REPEAT;
const ticks = s1.ticks - s0.ticks;
const samplerPct = ((s1.cpuSeconds - s0.cpuSeconds) * 1000 * 100) / wallMs;
const perTickMs = ticks > 0 ? ((s1.cpuSeconds - s0.cpuSeconds) * 1000) / ticks : Number.NaN;

await Promise.all(ids.map((id) => sessions.stop(id)));
await manager.close();
await rm(dir, { recursive: true, force: true });

const f = (x: number) => `${x.toFixed(3)} %`;
console.log(
  `bench:usage — ${N} running sessions (isolation ${isolation}), interval ${INTERVAL}, ${SECONDS} s per phase, ${cpus().length} CPUs, node ${process.version}`,
);
console.log(`idle manager, sampler stopped:      ${f(idle)} of one core`);
console.log(`manager while sampling:             ${f(sampling)} of one core`);
console.log(
  `sampler's own CPU time:             ${f(samplerPct)} of one core (${ticks} ticks, ${perTickMs.toFixed(2)} ms CPU per tick of ${s1.sessions} sessions) — target < 2 %`,
);
console.log(
  `${REPEAT} ticks back to back:           ${backToBackMs.toFixed(2)} ms CPU per tick = ${f((backToBackMs / config.usageIntervalMs) * 100)} of one core at ${INTERVAL}`,
);
