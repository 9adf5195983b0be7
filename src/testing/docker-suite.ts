/** The Docker executor's behaviour against a real engine, run once per mode (one test file each, in parallel). */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import type { ExecSpec, RankUsage } from '../executors/index.js';
import { DockerExecutor, type DockerMode, sessionEnv } from '../executors/index.js';
import { hooksRecorder } from '../executors/testing/recorder.js';
import { BUSYBOX_IMAGE, ensureImages, NO_DOCKER, NODE_IMAGE, type TestDocker, testDocker } from './docker.js';

export function dockerExecutorSuite(mode: DockerMode): void {
  describe(`docker executor, ${mode} mode`, () => {
    let engine: TestDocker | undefined;
    let dir: string;
    let node: string;
    let ex: DockerExecutor;
    const run = `t${randomBytes(3).toString('hex')}`;
    const ids: string[] = [];

    before(async () => {
      engine = await testDocker();
      if (!engine) return;
      await ensureImages(engine.docker);
      const hostname = (await engine.docker.info()).Name;
      node = mode === 'swarm' ? `swarm:${hostname}` : hostname;
      dir = await mkdtemp(join(tmpdir(), `swarmlab-docker-${mode}-`));
      ex = await DockerExecutor.connect({ host: engine.host, mode, pollMs: 100 });
    });

    after(async () => {
      if (!engine) return;
      await ex.close();
      // Whatever a failed test left behind.
      for (const id of ids) {
        const filters = { label: [`swarmlab.session=${id}`] };
        for (const s of await engine.docker.listServices({ filters }))
          await engine.docker.getService(s.ID!).remove();
        for (const c of await engine.docker.listContainers({ all: true, filters })) {
          await engine.docker.getContainer(c.Id).remove({ force: true });
        }
      }
      await rm(dir, { recursive: true, force: true });
    });

    const test = (name: string, fn: () => Promise<void>) =>
      it(name, async (t: TestContext) => {
        if (!engine) return t.skip(NO_DOCKER);
        await fn();
      });

    const spec = async (name: string, command: string[], more: Partial<ExecSpec> = {}): Promise<ExecSpec> => {
      const sessionId = `${run}-${name}`;
      ids.push(sessionId);
      const sdir = join(dir, name);
      const outputDir = join(sdir, 'output');
      await mkdir(outputDir, { recursive: true });
      return {
        sessionId,
        command,
        shell: false,
        cwd: outputDir,
        dir: sdir,
        image: BUSYBOX_IMAGE,
        env: sessionEnv(
          {
            url: 'http://127.0.0.1:1',
            token: 'tok',
            sessionId,
            dataset: undefined,
            node,
            gpus: [],
            gpuMemoryFraction: 1,
            cpus: 0.5,
            outputDir,
          },
          { PATH: '/usr/local/bin:/bin' },
        ),
        resources: { cpus: 0.5, memoryMb: 64, gpus: [] },
        node,
        pool: 'training',
        labels: {},
        ...more,
      };
    };

    /** What is left on the engine for a session. */
    const leftovers = async (sessionId: string): Promise<number> => {
      const filters = { label: [`swarmlab.session=${sessionId}`] };
      if (mode === 'swarm') return (await engine!.docker.listServices({ filters })).length;
      return (await engine!.docker.listContainers({ all: true, filters })).length;
    };

    test('runs a command, delivers its output lines per stream and its exit, then removes it', async () => {
      const r = hooksRecorder();
      const s = await spec('ok', ['echo one; echo two >&2; printf three'], { shell: true });
      const handle = await ex.start(s, r.hooks);
      assert.equal(handle.executor, 'docker');
      assert.equal(handle.pid, 0);
      assert.ok(mode === 'swarm' ? handle.service : handle.container);
      assert.deepEqual(await r.exited, { exitCode: 0, signal: null });
      assert.deepEqual(
        r.lines.filter((l) => l.startsWith('stdout')),
        ['stdout:one', 'stdout:three'],
      );
      assert.deepEqual(
        r.lines.filter((l) => l.startsWith('stderr')),
        ['stderr:two'],
      );
      assert.equal(await readFile(join(s.dir, 'stdout.log'), 'utf8'), 'one\nthree');
      assert.equal(await leftovers(s.sessionId), 0);
      assert.equal(r.exits(), 1);
    });

    test("samples a running container's CPU time and memory through the stats API", async () => {
      const r = hooksRecorder();
      const s = await spec('usage', ['sh', '-c', 'while :; do :; done']);
      await ex.start(s, r.hooks);
      const deadline = Date.now() + 60_000;
      let first: RankUsage | undefined;
      for (;;) {
        const u = (await ex.usage()).get(s.sessionId)?.[0];
        if (u && first && u.cpuSeconds > first.cpuSeconds + 0.05) {
          assert.equal(u.rank, 0);
          assert.ok(u.rssMb > 0 && u.rssMb < 64, `rss ${u.rssMb}`);
          break;
        }
        first ??= u;
        assert.ok(Date.now() < deadline, `no growing CPU time: ${JSON.stringify(u)}`);
        await sleep(200);
      }
      await ex.stop(s.sessionId, 1000);
      await r.exited;
      assert.equal((await ex.usage()).has(s.sessionId), false, 'an ended session is not sampled');
    });

    test('reports the exit code', async () => {
      const r = hooksRecorder();
      await ex.start(await spec('exit3', ['sh', '-c', 'exit 3']), r.hooks);
      assert.deepEqual(await r.exited, { exitCode: 3, signal: null });
    });

    test('hands the job the environment contract and a writable output directory', async () => {
      const r = hooksRecorder();
      const s = await spec('env', ['env; echo done > "$SWARMLAB_OUTPUT_DIR/result"'], { shell: true });
      await ex.start(s, r.hooks);
      assert.deepEqual(await r.exited, { exitCode: 0, signal: null });
      assert.ok(r.lines.includes(`stdout:SWARMLAB_SESSION_ID=${s.sessionId}`));
      assert.ok(r.lines.includes(`stdout:SWARMLAB_OUTPUT_DIR=${s.env.SWARMLAB_OUTPUT_DIR}`));
      assert.ok(r.lines.includes('stdout:SWARMLAB_TOKEN=tok'));
      assert.equal(await readFile(join(s.env.SWARMLAB_OUTPUT_DIR!, 'result'), 'utf8'), 'done\n');
    });

    test('reports a job over its memory limit as killed by the OOM killer', async () => {
      const r = hooksRecorder();
      const dd = ['dd', 'if=/dev/zero', 'of=/dev/null', 'bs=200M', 'count=1'];
      await ex.start(await spec('oom', dd, { resources: { cpus: 0.5, memoryMb: 32, gpus: [] } }), r.hooks);
      const info = await r.exited;
      assert.equal(info.oomKilled, true);
      assert.match(info.reason ?? '', /OOM killer \(memory limit 32 MB\)/);
    });

    test('stops with a grace period: SIGTERM, then SIGKILL', async () => {
      const r = hooksRecorder();
      // sh as pid 1 ignores SIGTERM, so the engine has to escalate.
      const s = await spec('stop', ['echo up; sleep 60'], { shell: true });
      await ex.start(s, r.hooks);
      await r.waitFor('stdout:up');
      assert.equal(await ex.logs(s.sessionId, 'stdout'), 'up\n');
      const t0 = Date.now();
      await ex.stop(s.sessionId, 1000);
      assert.ok(Date.now() - t0 < 8000, `stop took ${Date.now() - t0} ms`);
      assert.deepEqual(await r.exited, { exitCode: null, signal: 'SIGKILL' });
      assert.equal(ex.status(s.sessionId), undefined);
      assert.equal(await leftovers(s.sessionId), 0);
    });

    test('keeps the container or service when asked', async () => {
      const r = hooksRecorder();
      const s = await spec('keep', ['true'], { keep: true });
      await ex.start(s, r.hooks);
      assert.deepEqual(await r.exited, { exitCode: 0, signal: null });
      assert.equal(await leftovers(s.sessionId), 1);
    });

    test('a new executor recovers a running session by its label and resumes its output exactly', async () => {
      const first = await DockerExecutor.connect({ host: engine!.host, mode, pollMs: 100 });
      const r1 = hooksRecorder();
      const s = await spec('recover', ['echo 1; sleep 2; echo 2; exit 9'], { shell: true });
      await first.start(s, r1.hooks);
      await r1.waitFor('stdout:1');
      await first.close();
      const second = await DockerExecutor.connect({ host: engine!.host, mode, pollMs: 100 });
      const handle = await second.recover(s);
      assert.ok(handle && (mode === 'swarm' ? handle.service : handle.container));
      const r2 = hooksRecorder();
      assert.equal(await second.attach(s, handle, r2.hooks, r1.offsets.at(-1)!), true);
      assert.deepEqual(second.status(s.sessionId), { state: 'running', pid: 0, attached: true });
      assert.deepEqual(await r2.exited, { exitCode: 9, signal: null });
      assert.deepEqual(r2.lines, ['stdout:2']);
      assert.equal(r1.exits(), 0);
      assert.equal(await leftovers(s.sessionId), 0);
      assert.equal(await second.recover(s), undefined);
      await second.close();
    });

    test('attaching to a session that ended meanwhile delivers its output and exit', async () => {
      const first = await DockerExecutor.connect({ host: engine!.host, mode, pollMs: 100 });
      const s = await spec('ended', ['echo gone; exit 4'], { shell: true });
      const handle = await first.start(s, hooksRecorder().hooks);
      await first.close();
      while (true) {
        const probe = await DockerExecutor.connect({ host: engine!.host, mode });
        const done = (await probe.recover(s)) !== undefined && (await isEnded(engine!, handle));
        await probe.close();
        if (done) break;
        await sleep(100);
      }
      const r = hooksRecorder();
      assert.equal(await ex.attach(s, handle, r.hooks, { stdout: 0, stderr: 0 }), false);
      assert.deepEqual(await r.exited, { exitCode: 4, signal: null });
      assert.deepEqual(r.lines, ['stdout:gone']);
      assert.equal(await leftovers(s.sessionId), 0);
    });

    if (mode === 'container') {
      test('fails to start, naming the image, when the engine lacks it and no registry has it', async () => {
        const s = await spec('noimage', ['true'], { image: 'swarmlab-test/missing:1' });
        await assert.rejects(ex.start(s, hooksRecorder().hooks), (err: Error & { code?: string }) => {
          assert.equal(err.code, 'INVALID');
          assert.match(err.message, /swarmlab-test\/missing:1/);
          return true;
        });
        assert.equal(await leftovers(s.sessionId), 0);
      });

      test('runs Node inside, and signals the container', async () => {
        const r = hooksRecorder();
        const js = 'console.log(process.version); setInterval(() => {}, 1000)';
        const s = await spec('node', ['node', '-e', js], { image: NODE_IMAGE });
        await ex.start(s, r.hooks);
        await r.waitFor(`stdout:${process.version}`);
        assert.equal(ex.signal(s.sessionId, 'SIGKILL'), true);
        assert.deepEqual(await r.exited, { exitCode: null, signal: 'SIGKILL' });
        assert.equal(ex.signal(s.sessionId, 'SIGKILL'), false);
      });
    } else {
      test('counts a task waiting for a node as running, and stops it by scaling the service to zero', async () => {
        const r = hooksRecorder();
        const s = await spec('pending', ['true'], { labels: { 'swarmlab-test-nowhere': 'x' } });
        await ex.start(s, r.hooks);
        await sleep(300);
        assert.deepEqual(ex.status(s.sessionId), { state: 'running', pid: 0, attached: false });
        assert.equal(ex.signal(s.sessionId, 'SIGTERM'), false); // no container to signal yet
        await ex.stop(s.sessionId, 1000);
        assert.deepEqual(await r.exited, { exitCode: null, signal: 'SIGTERM' });
        assert.equal(await leftovers(s.sessionId), 0);
      });

      test('reports a task the swarm rejects (no such image) with the reason', async () => {
        const r = hooksRecorder();
        await ex.start(await spec('noimage', ['true'], { image: 'swarmlab-test/missing:1' }), r.hooks);
        const info = await r.exited;
        assert.equal(info.exitCode, null);
        assert.match(info.reason ?? '', /rejected.*swarmlab-test\/missing:1/);
      });
    }
  });
}

async function isEnded(
  engine: TestDocker,
  handle: { container?: string; service?: string },
): Promise<boolean> {
  if (handle.container) return !(await engine.docker.getContainer(handle.container).inspect()).State.Running;
  const tasks = await engine.docker.listTasks({ filters: { service: [handle.service!] } });
  return tasks.some(
    (t: { Status: { State: string } }) => t.Status.State === 'complete' || t.Status.State === 'failed',
  );
}
