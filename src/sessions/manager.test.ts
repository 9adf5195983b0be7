import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { InvalidError, NotFoundError } from '../errors/index.js';
import { fakeGpuNode, type Harness, harness, nodeScript } from './testing/harness.js';

const types = (events: { type: string }[]) => events.map((e) => e.type).filter((t) => t !== 'session.log');

describe('sessions with real processes', () => {
  let h: Harness;
  before(async () => {
    h = await harness({
      datasets: {
        async resolve(ref) {
          if (ref.startsWith('mnist')) return { name: 'mnist', version: 3 };
          throw new NotFoundError(`no dataset ${ref}`);
        },
      },
    });
  });
  after(async () => h.close());

  it('runs a command that prints and exits 0 → succeeded, with its logs and every transition as an event', async () => {
    const s = await h.manager.submit({
      command: nodeScript(
        'console.log("hello"); console.error("warn"); console.log(process.env.SWARMLAB_DATASET)',
      ),
      dataset: 'mnist',
    });
    assert.equal(s.state, 'queued');
    assert.equal(s.dataset, 'mnist@3');
    const r = await h.waitFor(s.id);
    assert.equal(r.state, 'succeeded');
    assert.equal(r.exitCode, 0);
    assert.equal(r.signal, null);
    const logs = await h.manager.logs(s.id);
    assert.deepEqual(
      logs.lines.filter((l) => l.stream === 'stdout').map((l) => l.line),
      ['hello', 'mnist@3'],
    );
    assert.deepEqual(
      logs.lines.filter((l) => l.stream === 'stderr').map((l) => l.line),
      ['warn'],
    );
    const tail = await h.manager.logs(s.id, { tail: 1 });
    assert.equal(tail.lines.length, 1);
    const events = await h.eventsOf(s.id);
    assert.deepEqual(types(events), [
      'session.submitted',
      'session.placed',
      'session.starting',
      'session.started',
      'session.exited',
    ]);
    const logEvents = events.filter((e) => e.type === 'session.log');
    assert.ok(logEvents.length >= 1);
    assert.ok(logEvents.at(-1)!.cursor < events.at(-1)!.cursor, 'logs are archived before the exit');
  });

  it('records exit code 3 as failed, and a killing signal', async () => {
    const a = await h.manager.submit({ command: nodeScript('process.exit(3)') });
    const b = await h.manager.submit({ command: nodeScript('process.kill(process.pid, "SIGKILL")') });
    const ra = await h.waitFor(a.id);
    assert.equal(ra.state, 'failed');
    assert.equal(ra.exitCode, 3);
    const rb = await h.waitFor(b.id);
    assert.equal(rb.state, 'failed');
    assert.equal(rb.exitCode, null);
    assert.equal(rb.signal, 'SIGKILL');
  });

  it('enforces max runtime with SIGTERM and stops on request', async () => {
    const long = nodeScript('setTimeout(() => {}, 60000)');
    const a = await h.manager.submit({ command: long, maxRuntimeMs: 300 });
    const b = await h.manager.submit({ command: long });
    await h.waitFor(b.id, (r) => r.state === 'running');
    await h.manager.stop(b.id, 'enough');
    const rb = await h.waitFor(b.id);
    assert.equal(rb.state, 'stopped');
    assert.equal(rb.reason, 'enough');
    assert.equal(rb.signal, 'SIGTERM');
    const ra = await h.waitFor(a.id);
    assert.equal(ra.state, 'failed');
    assert.equal(ra.signal, 'SIGTERM');
    assert.match(ra.reason ?? '', /max runtime/);
    assert.ok(ra.endedAt! - ra.startedAt! < 5000);
    // Stopping an ended session is a no-op.
    assert.equal((await h.manager.stop(b.id)).state, 'stopped');
  });

  it('kills with SIGKILL after the grace period when SIGTERM is ignored', async () => {
    const s = await h.manager.submit({
      command: nodeScript('process.on("SIGTERM", () => {}); console.log("up"); setInterval(() => {}, 1000)'),
    });
    await h.waitFor(s.id, (r) => r.state === 'running');
    while ((await h.manager.logs(s.id)).lines.length === 0) await new Promise((r) => setTimeout(r, 20));
    await h.manager.stop(s.id);
    const r = await h.waitFor(s.id);
    assert.equal(r.state, 'stopped');
    assert.equal(r.signal, 'SIGKILL');
  });

  it('stops a queued session without starting it', async () => {
    const s = await h.manager.submit({ command: nodeScript(''), resources: { gpus: 4 } });
    const q = await h.manager.submit({ command: nodeScript(''), resources: { gpus: 4 } });
    const stopped = await h.manager.stop(q.id);
    assert.equal(stopped.state, 'stopped');
    await h.waitFor(s.id);
    assert.deepEqual(types(await h.eventsOf(q.id)), [
      'session.submitted',
      'session.stop-requested',
      'session.exited',
    ]);
  });

  it('sets CUDA_VISIBLE_DEVICES to exactly the allocated GPUs and never shares one', async () => {
    const script = nodeScript(
      'const e = process.env; console.log(JSON.stringify({c: e.CUDA_VISIBLE_DEVICES, d: e.SWARMLAB_DEVICE, ' +
        'f: e.SWARMLAB_GPU_MEMORY_FRACTION, o: e.OMP_NUM_THREADS, out: e.SWARMLAB_OUTPUT_DIR, ' +
        'r: e.SWARMLAB_RANK, w: e.SWARMLAB_WORLD_SIZE, n: e.SWARMLAB_NODE, id: e.SWARMLAB_SESSION_ID, ' +
        't: e.SWARMLAB_TOKEN, u: e.SWARMLAB_URL})); setTimeout(() => {}, 400)',
    );
    const subs = await Promise.all([
      h.manager.submit({ command: script, resources: { gpus: 2, cpus: 2 } }),
      h.manager.submit({ command: script, resources: { gpus: 2, cpus: 3 } }),
      h.manager.submit({ command: script, resources: { gpus: 0 } }),
    ]);
    const envs = [];
    for (const s of subs) {
      const r = await h.waitFor(s.id);
      assert.equal(r.state, 'succeeded');
      const line = (await h.manager.logs(s.id)).lines[0]!.line;
      envs.push({ r, env: JSON.parse(line) as Record<string, string> });
    }
    const [a, b, c] = envs;
    assert.deepEqual(a!.env.c?.split(',').map(Number), a!.r.placement!.gpus);
    assert.deepEqual(b!.env.c?.split(',').map(Number), b!.r.placement!.gpus);
    const all = [...a!.r.placement!.gpus, ...b!.r.placement!.gpus];
    assert.equal(new Set(all).size, 4, 'two concurrent sessions never share a GPU');
    assert.equal(a!.env.d, 'gpu');
    assert.equal(a!.env.f, '1');
    assert.equal(a!.env.o, '2');
    assert.equal(b!.env.o, '3');
    assert.equal(c!.env.c, '');
    assert.equal(c!.env.d, 'cpu');
    assert.equal(a!.env.r, '0');
    assert.equal(a!.env.w, '1');
    assert.equal(a!.env.n, 'gpu-box');
    assert.equal(a!.env.id, a!.r.id);
    assert.equal(a!.env.t, 'test-token');
    assert.equal(a!.env.u, 'http://127.0.0.1:1');
    assert.ok(a!.env.out?.startsWith(h.dir));
  });

  it('starts a queued session when resources free up', async () => {
    const hold = nodeScript('setTimeout(() => {}, 300)');
    const first = await h.manager.submit({ command: hold, resources: { gpus: 3 } });
    const second = await h.manager.submit({ command: hold, resources: { gpus: 2 } });
    await h.waitFor(first.id, (r) => r.state === 'running');
    assert.equal((await h.manager.get(second.id)).state, 'queued');
    const r1 = await h.waitFor(first.id);
    const r2 = await h.waitFor(second.id);
    assert.equal(r2.state, 'succeeded');
    assert.ok(r2.placedAt! >= r1.endedAt!);
  });

  it('rejects at submit what could never run, naming the field', async () => {
    const cmd = nodeScript('');
    const field = async (p: Promise<unknown>) => {
      const err = await p.then(
        () => assert.fail('accepted'),
        (e: unknown) => e,
      );
      assert.ok(err instanceof InvalidError, String(err));
      return err.details.field;
    };
    assert.equal(await field(h.manager.submit({ command: cmd, resources: { gpus: 5 } })), 'resources.gpus');
    assert.equal(await field(h.manager.submit({ command: cmd, resources: { cpus: -1 } })), 'resources.cpus');
    assert.equal(await field(h.manager.submit({ command: cmd, pool: 'nowhere' })), 'pool');
    assert.equal(await field(h.manager.submit({ command: cmd, dataset: 'nope@1' })), 'dataset');
    assert.equal(await field(h.manager.submit({ command: [] })), 'command');
    assert.equal(await field(h.manager.submit({ command: cmd, cwd: '/no/such/dir' })), 'cwd');
  });

  it('truncates huge lines and keeps every line of a chatty process', async () => {
    const s = await h.manager.submit({
      command: nodeScript(
        'const big = "x".repeat(100000); console.log(big); for (let i = 0; i < 3000; i++) console.log("line " + i)',
      ),
    });
    const r = await h.waitFor(s.id);
    assert.equal(r.state, 'succeeded');
    const first = await h.manager.logs(s.id, { limit: 1 });
    assert.ok(first.lines[0]!.line.length < 20_000);
    assert.match(first.lines[0]!.line, /truncated \d+ bytes/);
    const tail = await h.manager.logs(s.id, { tail: 2 });
    assert.deepEqual(
      tail.lines.map((l) => l.line),
      ['line 2998', 'line 2999'],
    );
  });

  it('lists sessions newest first, by state, in pages', async () => {
    const all = await h.manager.list({ limit: 5 });
    assert.ok(all.total >= 10);
    assert.equal(all.sessions.length, 5);
    assert.ok(all.sessions[0]!.createdAt >= all.sessions[4]!.createdAt);
    const failed = await h.manager.list({ state: 'failed' });
    assert.ok(failed.sessions.every((s) => s.state === 'failed'));
    const next = await h.manager.list({ limit: 5, offset: 5 });
    assert.notEqual(next.sessions[0]!.id, all.sessions[0]!.id);
  });
});

describe('long-run rule', () => {
  it('demotes a long training session, lowers its CPU priority and lets waiting work in', async () => {
    const h = await harness({ nodes: [fakeGpuNode(2, 0)], longRunMs: 200, longRunCheckMs: 50 });
    try {
      const long = nodeScript('setTimeout(() => {}, 30000)');
      const a = await h.manager.submit({ command: long, resources: { cpus: 2 }, priority: 5 });
      await h.waitFor(a.id, (r) => r.state === 'running');
      const b = await h.manager.submit({ command: nodeScript(''), resources: { cpus: 1 }, priority: 5 });
      const ra = await h.waitFor(a.id, (r) => r.demotedAt !== undefined);
      assert.equal(ra.pool, 'low-priority');
      assert.equal(ra.priority, 4);
      assert.equal(ra.yielded, true);
      assert.equal(ra.state, 'running');
      const rb = await h.waitFor(b.id);
      assert.equal(rb.state, 'succeeded', 'the waiting session ran beside the demoted one');
      const { readFileSync } = await import('node:fs');
      const stat = readFileSync(`/proc/${ra.handle!.pid}/stat`, 'utf8');
      const nice = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
      assert.equal(nice, 19);
      const demoted = (await h.eventsOf(a.id)).filter((e) => e.type === 'session.demoted');
      assert.equal(demoted.length, 1);
      await h.manager.stop(a.id);
      await h.waitFor(a.id);
    } finally {
      await h.close();
    }
  });

  it('renices every rank of a demoted gang and frees its CPUs on every node', async () => {
    const h = await harness({ nodes: [fakeGpuNode(2, 0)], longRunMs: 200, longRunCheckMs: 50 });
    try {
      const g = await h.manager.submit({
        command: nodeScript('setTimeout(() => {}, 30000)'),
        replicas: 2,
        resources: { cpus: 1 },
        priority: 5,
      });
      const b = await h.manager.submit({ command: nodeScript(''), resources: { cpus: 1 }, priority: 5 });
      const rg = await h.waitFor(g.id, (r) => r.demotedAt !== undefined);
      assert.equal(rg.yielded, true);
      assert.equal(rg.placement?.cpus, 0.001);
      assert.equal((await h.waitFor(b.id)).state, 'succeeded', 'the waiting session ran beside the gang');
      const { readFileSync } = await import('node:fs');
      const nice = (pid: number) => {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
      };
      assert.deepEqual(
        rg.ranks!.map((r) => nice(r.handle!.pid)),
        [19, 19],
      );
      await h.manager.stop(g.id);
      await h.waitFor(g.id);
    } finally {
      await h.close();
    }
  });
});
