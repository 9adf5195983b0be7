/** The container-session tests, run unchanged on plain containers and on swarm services. */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import type { DockerMode } from '../../src/config/index.js';
import { ensureImages, testDocker } from '../../src/testing/docker.js';
import { type DockerManager, dockerManager, EPOCH_SCRIPT, ROOT } from './harness.js';

export const BUSYBOX = 'swarmlab-test/busybox:1';
type Skippable = { skip(msg: string): void };
export const NODE = 'swarmlab-test/node:1';

/** `more` adds mode-specific tests to the suite, run while its manager is up. */
export function containerSuite(
  mode: Exclude<DockerMode, 'auto'>,
  more?: (need: (t: Skippable) => DockerManager | undefined) => void,
): void {
  let dm: DockerManager | undefined;
  describe(`container sessions (${mode})`, { timeout: 180_000 }, () => {
    before(async () => {
      const engine = await testDocker();
      if (!engine) return;
      await ensureImages(engine.docker);
      dm = await dockerManager(engine.host, mode);
    });
    after(async () => {
      await dm?.close();
    });
    const need = (t: Skippable): DockerManager | undefined => {
      if (!dm) t.skip('no Docker engine: run scripts/dockerd.sh start');
      return dm;
    };

    it('runs a session in the image with the session contract, its logs and exit code archived', async (t) => {
      const m = need(t);
      if (!m) return;
      const s = await m.submit({
        name: 'hello',
        image: BUSYBOX,
        command: ['sh', '-c', 'echo hello from $SWARMLAB_SESSION_ID; env | sort'],
        resources: { cpus: 0.5, memoryMb: 64 },
      });
      const done = await m.waitFor(s.id);
      assert.equal(done.state, 'succeeded', done.reason);
      assert.equal(done.exitCode, 0);
      const logs = await m.logs(s.id);
      assert.match(logs, new RegExp(`hello from ${s.id}`));
      assert.match(logs, new RegExp(`SWARMLAB_URL=${m.manager.url}`));
      assert.match(logs, /SWARMLAB_DEVICE=cpu/);
      assert.match(logs, /SWARMLAB_OUTPUT_DIR=\/\S+\/output/);
      const started = await m.client.json<{ events: Array<{ type: string; data: { executor?: string } }> }>(
        'GET',
        '/api/v1/events',
        { query: { session: s.id } },
      );
      assert.equal(started.events.find((e) => e.type === 'session.started')?.data.executor, 'docker');
    });

    it('records a non-zero exit code as failed with that code', async (t) => {
      const m = need(t);
      if (!m) return;
      const s = await m.submit({ image: BUSYBOX, command: ['sh', '-c', 'echo about to fail; exit 3'] });
      const done = await m.waitFor(s.id);
      assert.equal(done.state, 'failed');
      assert.equal(done.exitCode, 3);
      assert.match(await m.logs(s.id), /about to fail/);
    });

    it('records a container killed over its memory limit as OOM-killed', async (t) => {
      const m = need(t);
      if (!m) return;
      const s = await m.submit({
        image: BUSYBOX,
        command: ['dd', 'if=/dev/zero', 'of=/dev/null', 'bs=200M', 'count=1'],
        resources: { memoryMb: 32 },
      });
      const done = await m.waitFor(s.id);
      assert.equal(done.state, 'failed');
      assert.equal(done.oomKilled, true, `reason: ${done.reason}`);
      assert.match(done.reason ?? '', /OOM|memory/i);
    });

    it('stops a running container session', async (t) => {
      const m = need(t);
      if (!m) return;
      const s = await m.submit({ image: BUSYBOX, command: ['sh', '-c', 'echo up; sleep 60'] });
      await m.waitFor(s.id, ['running']);
      const t0 = Date.now();
      await m.client.json('POST', `/api/v1/sessions/${s.id}/stop`, { body: {} });
      const done = await m.waitFor(s.id, undefined, 20_000);
      assert.equal(done.state, 'stopped');
      assert.ok(Date.now() - t0 < 15_000, 'stopped within the grace period plus a margin');
    });

    it('re-attaches a running container session after a manager restart, without losing output', async (t) => {
      const m = need(t);
      if (!m) return;
      const s = await m.submit({
        image: BUSYBOX,
        command: ['sh', '-c', 'echo before; sleep 4; echo after; exit 7'],
      });
      await m.waitFor(s.id, ['running']);
      await new Promise((r) => setTimeout(r, 500));
      await m.restart();
      const done = await m.waitFor(s.id);
      assert.equal(done.state, 'failed', done.reason);
      assert.equal(done.exitCode, 7);
      const lines = (await m.logs(s.id)).split('\n');
      assert.deepEqual(
        lines.filter((l) => l === 'before' || l === 'after'),
        ['before', 'after'],
        'each line once, none lost across the restart',
      );
      const page = await m.client.json<{ events: Array<{ type: string; data: { attached?: boolean } }> }>(
        'GET',
        '/api/v1/events',
        { query: { session: s.id } },
      );
      assert.ok(page.events.some((e) => e.type === 'session.started' && e.data.attached === true));
    });

    it('reaches the manager from inside: the SDK reports epochs', async (t) => {
      const m = need(t);
      if (!m) return;
      const s = await m.submit({
        image: NODE,
        cwd: ROOT,
        command: ['node', '--input-type=module', '-e', EPOCH_SCRIPT],
        resources: { memoryMb: 256 },
      });
      const done = await m.waitFor(s.id);
      assert.equal(done.state, 'succeeded', `${done.reason}\n${await m.logs(s.id)}`);
      const page = await m.client.json<{ events: Array<{ type: string; data: { epoch: number } }> }>(
        'GET',
        '/api/v1/events',
        { query: { session: s.id } },
      );
      const epochs = page.events.filter((e) => e.type === 'session.epoch').map((e) => e.data.epoch);
      assert.deepEqual(epochs, [1, 2]);
    });
    more?.(need);
  });
}
