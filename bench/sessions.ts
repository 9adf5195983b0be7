/**
 * Submit → running-and-connected latency: for N sequential sessions of a trivial Node script that opens its
 * SDK channel and reports one epoch, the time from the HTTP submit to the manager archiving its
 * `session.connected` event; beside it, in the same run and interleaved, the bare `child_process.spawn` of the
 * same script (same env contract, pointed at an existing session) until the same event.
 * Needs the built SDK: `npm run build` first. Usage: node --import tsx bench/sessions.ts [N]
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { cpus, tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pino } from 'pino';
import { startManager } from '../src/app.js';
import { resolveConfig } from '../src/config/index.js';
import type { SwarmEvent } from '../src/events/index.js';
import { SwarmlabClient } from '../src/sdk/index.js';
import type { SessionRecord } from '../src/sessions/index.js';
import { ascending, percentile } from './percentile.js';

const N = Number(process.argv[2] ?? 200);
const dist = resolve(import.meta.dirname, '../dist/sdk');
// The SDK's public surface once it exports `session`; its module directly until then.
const sdkModule = join(dist, 'index.js');
const sessionModule = join(dist, 'session.js');
if (!existsSync(sdkModule) || !existsSync(sessionModule)) {
  console.error('bench:sessions needs the built SDK: run `npm run build` first');
  process.exit(1);
}

const dir = await mkdtemp(join(tmpdir(), 'swarmlab-bench-sessions-'));
const script = join(dir, 'child.mjs');
await writeFile(
  script,
  `let sdk = await import(${JSON.stringify(sdkModule)});
if (!sdk.session) sdk = await import(${JSON.stringify(sessionModule)});
const s = await sdk.session();
s.epoch(1, { loss: 0.5 });
await s.close();
`,
);
const nodes = { nodes: [{ name: 'bench', capacity: { cpus: 64, memoryMb: 64_000, gpus: [] } }] };
await writeFile(join(dir, 'nodes.json'), JSON.stringify(nodes));
const config = resolveConfig({ dataDir: dir, port: 0, nodes: join(dir, 'nodes.json'), localNode: false });
const manager = await startManager(config, { logger: pino({ level: 'warn' }) });
const client = new SwarmlabClient({ url: manager.url, token: manager.token });

/** Waiters for the next `session.connected` / `session.exited` of a session. */
const waiting = new Map<string, (e: SwarmEvent) => void>();
const key = (type: string, id: string) => `${type} ${id}`;
const next = (type: string, id: string) =>
  new Promise<number>((res) => waiting.set(key(type, id), () => res(performance.now())));
const stop = await manager.services.hub.subscribe(
  { types: ['session.connected', 'session.exited'] },
  await manager.services.events.lastCursor(),
  (e) => {
    const k = key(e.type, e.sessionId ?? '');
    const w = waiting.get(k);
    waiting.delete(k);
    w?.(e);
  },
);

const submit = (command: string[]) =>
  client.json<SessionRecord>('POST', '/api/v1/sessions', { body: { command } });

// The bare runs report into one existing session, so the child does exactly the same work.
const base = await submit([process.execPath, '-e', '']);
const baseEnded = next('session.exited', base.id);
await baseEnded;

async function viaSession(): Promise<number> {
  const t0 = performance.now();
  const s = await submit([process.execPath, script]);
  const connected = next('session.connected', s.id);
  const exited = next('session.exited', s.id);
  const t = (await connected) - t0;
  await exited;
  return t;
}

async function bare(): Promise<number> {
  const connected = next('session.connected', base.id);
  const t0 = performance.now();
  const child = spawn(process.execPath, [script], {
    stdio: 'ignore',
    env: {
      ...process.env,
      SWARMLAB_URL: manager.url,
      SWARMLAB_TOKEN: manager.token,
      SWARMLAB_SESSION_ID: base.id,
    },
  });
  const exited = new Promise((r) => child.once('exit', r));
  const t = (await connected) - t0;
  await exited;
  return t;
}

// Warm-up, then interleave so drift hits both sides alike.
for (let i = 0; i < 5; i++) {
  await bare();
  await viaSession();
}
const sessionMs: number[] = [];
const bareMs: number[] = [];
for (let i = 0; i < N; i++) {
  bareMs.push(await bare());
  sessionMs.push(await viaSession());
}
stop();
await manager.close();
await rm(dir, { recursive: true, force: true });

ascending(bareMs);
ascending(sessionMs);
const f = (x: number) => x.toFixed(1).padStart(7);
console.log(`bench:sessions — ${N} sequential sessions, ${cpus().length} CPUs, node ${process.version}`);
console.log('                                   p50 ms   p99 ms');
console.log(`bare spawn → connected          ${f(percentile(bareMs, 50))}  ${f(percentile(bareMs, 99))}`);
console.log(
  `submit → running + connected    ${f(percentile(sessionMs, 50))}  ${f(percentile(sessionMs, 99))}`,
);
const ratio = percentile(sessionMs, 50) / percentile(bareMs, 50);
console.log(`p50 ratio ${ratio.toFixed(2)}× (target ≤ 1.5×) ${ratio <= 1.5 ? 'OK' : 'MISSED'}`);
