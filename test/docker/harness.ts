/** A manager on the real Docker engine for the container tests, with helpers to submit and await sessions. */
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Manager } from '../../src/app.js';
import type { DockerMode } from '../../src/config/index.js';
import type { SwarmlabClient } from '../../src/sdk/index.js';
import type { SessionRecord } from '../../src/sessions/index.js';
import { testManager } from '../../src/testing/manager.js';
import { waitForSession } from '../../src/testing/sessions.js';

export const ROOT = new URL('../..', import.meta.url).pathname.replace(/\/$/, '');
const SDK = pathToFileURL(join(ROOT, 'dist/sdk/index.js')).href;

/** A script for the node image: reports two epochs through the SDK, then exits. */
export const EPOCH_SCRIPT = `
const { session } = await import(${JSON.stringify(SDK)});
const s = await session();
s.epoch(1, { loss: 0.5, accuracy: 0.8 }, { total: 2 });
s.epoch(2, { loss: 0.25, accuracy: 0.9 }, { total: 2 });
await s.close();
console.log('reported from', process.env.HOSTNAME);
`;

export interface DockerManager {
  readonly manager: Manager;
  readonly client: SwarmlabClient;
  submit(body: Record<string, unknown>): Promise<SessionRecord>;
  get(id: string): Promise<SessionRecord>;
  /** Polls until the session is in one of `states` (default: any terminal one). */
  waitFor(id: string, states?: string[], timeoutMs?: number): Promise<SessionRecord>;
  logs(id: string): Promise<string>;
  /** Closes the manager (sessions keep running) and starts a new one on the same data dir and port. */
  restart(): Promise<void>;
  close(): Promise<void>;
}

const TERMINAL = ['succeeded', 'failed', 'stopped', 'rejected', 'lost'];

export async function dockerManager(dockerHost: string, mode: DockerMode): Promise<DockerManager> {
  const t = await testManager({ executor: 'docker', dockerHost, dockerMode: mode, stopGrace: '2s' });
  const { client } = t;
  const get = (id: string) => client.json<SessionRecord>('GET', `/api/v1/sessions/${id}`);
  return {
    get manager() {
      return t.manager;
    },
    client,
    submit: (body) => client.json<SessionRecord>('POST', '/api/v1/sessions', { body }),
    get,
    waitFor: (id, states = TERMINAL, timeoutMs = 60_000) =>
      waitForSession(client, id, (s) => states.includes(s.state), timeoutMs),
    async logs(id) {
      const page = await client.json<{ lines: Array<{ line: string }> }>(
        'GET',
        `/api/v1/sessions/${id}/logs`,
        {
          query: { limit: 10_000 },
        },
      );
      return page.lines.map((l) => l.line).join('\n');
    },
    async restart() {
      await t.restart();
    },
    close: () => t.close(),
  };
}
