/** Polls a session over the API until it satisfies a predicate, for tests that drive a real manager. */
import type { SwarmlabClient } from '../sdk/index.js';
import type { SessionRecord } from '../sessions/index.js';

export async function waitForSession(
  client: SwarmlabClient,
  id: string,
  done: (s: SessionRecord) => boolean,
  timeoutMs = 30_000,
): Promise<SessionRecord> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const s = await client.json<SessionRecord>('GET', `/api/v1/sessions/${id}`);
    if (done(s)) return s;
    if (Date.now() > deadline) throw new Error(`session ${id} still ${s.state} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}
