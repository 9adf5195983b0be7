/**
 * Auth benchmark (npm run bench:auth): what a token costs per request, on LMDB and Redis. The manager's own token
 * is compared in memory; an API token is looked up by its hash (cached after the first request); a session's
 * token is checked against its session's record on every request (that is how its revocation is immediate).
 * Each figure is requests/s on `GET /api/v1/whoami`, with its ratio to the manager token's in the same run.
 */
import { Agent, request } from 'node:http';
import { type TestManager, testManager } from '../src/testing/manager.js';

const REQUESTS = Number(process.env.REQUESTS ?? 4000);
const CONCURRENCY = Number(process.env.CONCURRENCY ?? 16);

/** Requests/s of GET `path` with `token`, CONCURRENCY at a time over kept-alive connections. */
async function rate(url: string, token: string): Promise<number> {
  const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
  const one = () =>
    new Promise<void>((resolve, reject) => {
      const req = request(
        `${url}/api/v1/whoami`,
        { agent, headers: { authorization: `Bearer ${token}` } },
        (res) => {
          if (res.statusCode !== 200) reject(new Error(`status ${res.statusCode}`));
          res.resume().on('end', resolve);
        },
      );
      req.on('error', reject).end();
    });
  let sent = 0;
  const worker = async () => {
    while (sent++ < REQUESTS) await one();
  };
  const start = performance.now();
  await Promise.all(Array.from({ length: CONCURRENCY }, worker));
  agent.destroy();
  return REQUESTS / ((performance.now() - start) / 1000);
}

async function run(tm: TestManager, label: string): Promise<void> {
  const read = await tm.client.json<{ token: string }>('POST', '/api/v1/tokens', {
    body: { name: 'bench', role: 'read' },
  });
  const s = await tm.client.json<{ id: string }>('POST', '/api/v1/sessions', {
    body: { command: ['sleep', '600'] },
  });
  const session = tm.manager.services.sessionTokens.mint(s.id);
  await rate(tm.url, tm.token); // warm-up
  const base = await rate(tm.url, tm.token);
  const api = await rate(tm.url, read.token);
  const own = await rate(tm.url, session);
  const fmt = (r: number) => `${Math.round(r)} req/s (×${(r / base).toFixed(2)})`;
  console.log(
    `${label}: manager token ${Math.round(base)} req/s; API token ${fmt(api)}; session token ${fmt(own)}`,
  );
  await tm.client.json('POST', `/api/v1/sessions/${s.id}/stop`, { body: {} });
}

for (const redis of [false, true]) {
  const tm = await testManager({ redis });
  try {
    await run(tm, redis ? 'redis' : 'lmdb');
  } finally {
    await tm.close();
  }
}
