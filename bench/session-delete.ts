/**
 * Session delete cost against archive size: an archive holding M events of the day before (other sessions),
 * then the session with K events of its own interleaved with K of others; prints how long the delete took and how
 * many events it removed, for two archive sizes. The scan starts near the session's creation, so the time should
 * not grow with M. Usage: node --import tsx bench/session-delete.ts [K, default 2000] [lmdb|redis]
 */
import { performance } from 'node:perf_hooks';
import type { NewEvent } from '../src/api/index.js';
import { SessionsClient } from '../src/sdk/index.js';
import { testManager } from '../src/testing/manager.js';
import { waitForSession } from '../src/testing/sessions.js';

const K = Number(process.argv[2] ?? 2000);
const backend = process.argv[3] === 'redis' ? 'redis' : 'lmdb';
const line = (sessionId: string, i: number, time?: number): NewEvent => ({
  type: 'session.log',
  sessionId,
  data: { stream: 'stdout', lines: [`line ${i}`] },
  ...(time === undefined ? {} : { time }),
});
const HOUR = 3_600_000;

for (const M of [10_000, 100_000]) {
  const t = await testManager({ redis: backend === 'redis' });
  try {
    const events = t.manager.services.events;
    // The older history, stamped as it would have been: a day up to two hours ago, in order.
    const from = Date.now() - 24 * HOUR;
    const step = (22 * HOUR) / M;
    for (let i = 0; i < M; i += 1000) {
      await events.append(
        Array.from({ length: 1000 }, (_, j) => line(`s-other-${j % 50}`, i + j, from + (i + j) * step)),
      );
    }
    const sessions = new SessionsClient(t.client);
    const s = await sessions.submit({ command: [process.execPath, '-e', '0'] });
    await waitForSession(t.client, s.id, (r) => r.endedAt !== undefined, 60_000);
    for (let i = 0; i < K; i += 500) {
      await events.append(
        Array.from({ length: 1000 }, (_, j) => line(j % 2 === 0 ? s.id : 's-after', i + (j >> 1))),
      );
    }
    const start = performance.now();
    const deleted = await sessions.delete(s.id);
    const ms = performance.now() - start;
    console.log(
      `${backend}: archive of ${M + 2 * K} events, delete removed ${deleted.events} events in ${ms.toFixed(0)} ms`,
    );
  } finally {
    await t.close();
  }
}
