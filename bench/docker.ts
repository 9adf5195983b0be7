/**
 * Submit → running for N container sessions, in container mode and in swarm mode, beside the engine's own
 * start measured in the same run: `docker run -d` of the same image (the /usr/bin/docker CLI, as a user types
 * it), the same through the API (create + start), and in swarm mode `docker service create` until its task runs.
 * Ours is timed from just before the HTTP submit to the `session.started` event (the container, or the service's
 * task, is running). Needs a Docker engine that is a swarm manager: `scripts/dockerd.sh start`.
 * Usage: node --import tsx bench/docker.ts [N]
 */
import { execFile } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type Docker from 'dockerode';
import { pino } from 'pino';
import { startManager } from '../src/app.js';
import { resolveConfig } from '../src/config/index.js';
import { SwarmlabClient } from '../src/sdk/index.js';
import type { SessionRecord } from '../src/sessions/index.js';
import { ensureImages, testDocker } from '../src/testing/docker.js';
import { ascending, percentile } from './percentile.js';

const N = Number(process.argv[2] ?? 50);
const IMAGE = 'swarmlab-test/busybox:1';
const run = promisify(execFile);
/** Every container gets the same limits (a CPU quota makes a container start slower: same for all rows). */
const CPUS = 0.5;
const MEM_MB = 64;
const LIMITS = ['--cpus', String(CPUS), '--memory', `${MEM_MB}m`, '--memory-swap', `${MEM_MB}m`];

const engine = await testDocker();
if (!engine) {
  console.error(
    'bench/docker needs a Docker engine: scripts/dockerd.sh start (or SWARMLAB_TEST_DOCKER_HOST)',
  );
  process.exit(1);
}
const { docker, host } = engine;
await ensureImages(docker);

/** Each row's latencies, ascending. */
const rows: Array<[string, number[]]> = [];
const fmt = (sorted: number[]) =>
  `p50 ${percentile(sorted, 50).toFixed(0).padStart(5)} ms   p99 ${percentile(sorted, 99).toFixed(0).padStart(5)} ms`;

/** `docker run -d` with the CLI: returns once the container is started. */
async function cliRun(): Promise<number> {
  const t0 = performance.now();
  const { stdout } = await run('/usr/bin/docker', [
    '-H',
    host,
    'run',
    '-d',
    '--network',
    'host',
    ...LIMITS,
    IMAGE,
    'sleep',
    '5',
  ]);
  const ms = performance.now() - t0;
  await run('/usr/bin/docker', ['-H', host, 'rm', '-f', stdout.trim()]);
  return ms;
}

/** create + start through the API (what the executor does), until started. */
async function apiRun(d: Docker): Promise<number> {
  const t0 = performance.now();
  const c = await d.createContainer({
    Image: IMAGE,
    Cmd: ['sleep', '5'],
    HostConfig: { NetworkMode: 'host' },
  });
  await c.start();
  const ms = performance.now() - t0;
  await c.remove({ force: true });
  return ms;
}

/** `service create` until its task is running. */
async function serviceRun(d: Docker): Promise<number> {
  const t0 = performance.now();
  const svc = await d.createService({
    Name: `bench-${Math.random().toString(36).slice(2, 10)}`,
    TaskTemplate: {
      ContainerSpec: { Image: IMAGE, Command: ['sleep', '5'] },
      RestartPolicy: { Condition: 'none' },
      Resources: { Limits: { NanoCPUs: CPUS * 1e9, MemoryBytes: MEM_MB * 2 ** 20 } },
      Networks: [{ Target: 'host' }],
    },
    Mode: { Replicated: { Replicas: 1 } },
  });
  for (;;) {
    const tasks = await d.listTasks({ filters: { service: [svc.id] } });
    if (tasks.some((t: { Status?: { State?: string } }) => t.Status?.State === 'running')) break;
    await new Promise((r) => setTimeout(r, 10));
  }
  const ms = performance.now() - t0;
  // Like `docker rm -f`: the task's container goes at once (service removal alone waits out its stop grace).
  const label = `com.docker.swarm.service.id=${svc.id}`;
  await d.getService(svc.id).remove();
  for (const c of await d.listContainers({ all: true, filters: { label: [label] } })) {
    await d
      .getContainer(c.Id)
      .remove({ force: true })
      .catch(() => undefined);
  }
  return ms;
}

async function platform(mode: 'container' | 'swarm'): Promise<number[]> {
  const dataDir = await mkdtemp(join(tmpdir(), `swarmlab-bench-docker-${mode}-`));
  const manager = await startManager(
    resolveConfig({
      dataDir,
      port: 0,
      executor: 'docker',
      dockerHost: host,
      dockerMode: mode,
      stopGrace: '1s',
    }),
    { logger: pino({ level: 'warn' }) },
  );
  const client = new SwarmlabClient({ url: manager.url, token: manager.token });
  // When each session's `session.started` / `session.exited` arrived; a waiter per one not seen yet.
  const seen = new Map<string, number>();
  const waiters = new Map<string, (t: number) => void>();
  const unsubscribe = await manager.services.hub.subscribe(
    { types: ['session.started', 'session.exited'] },
    await manager.services.events.lastCursor(),
    (e) => {
      const t = performance.now();
      const k = `${e.type} ${e.sessionId}`;
      seen.set(k, t);
      waiters.get(k)?.(t);
    },
  );
  const when = (type: string, id: string) =>
    seen.get(`${type} ${id}`) ?? new Promise<number>((r) => waiters.set(`${type} ${id}`, r));
  const out: number[] = [];
  try {
    for (let i = 0; i < N; i++) {
      const t0 = performance.now();
      const s = await client.json<SessionRecord>('POST', '/api/v1/sessions', {
        body: { image: IMAGE, command: ['sleep', '5'], resources: { cpus: CPUS, memoryMb: MEM_MB } },
      });
      out.push((await when('session.started', s.id)) - t0);
      // Ended before the next one, so each start has the engine and the node's CPUs to itself.
      await client.json('POST', `/api/v1/sessions/${s.id}/stop`, { body: {} });
      await when('session.exited', s.id);
    }
  } finally {
    unsubscribe();
    await manager.close();
    await rm(dataDir, { recursive: true, force: true });
  }
  return out;
}

const repeat = async (f: () => Promise<number>) => {
  const xs: number[] = [];
  for (let i = 0; i < N; i++) xs.push(await f());
  return ascending(xs);
};

console.log(`bench/docker: ${N} sessions per mode, image ${IMAGE}, engine ${host}`);
rows.push(['docker run -d (CLI)', await repeat(cliRun)]);
rows.push(['create + start (API)', await repeat(() => apiRun(docker))]);
rows.push(['swarmlab submit → running (container mode)', ascending(await platform('container'))]);
rows.push(['docker service create → task running', await repeat(() => serviceRun(docker))]);
rows.push(['swarmlab submit → running (swarm mode)', ascending(await platform('swarm'))]);
const base = percentile(rows[0]![1], 50);
for (const [name, xs] of rows) {
  console.log(
    `${name.padEnd(44)} ${fmt(xs)}   p50 ratio to docker run ${(percentile(xs, 50) / base).toFixed(2)}×`,
  );
}
