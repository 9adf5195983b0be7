import assert from 'node:assert/strict';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { ExecSpec } from '../types.js';
import { containerOptions } from './container.js';
import { containerExit, type SwarmTask, taskExit } from './exit.js';
import { FrameParser, LogSink } from './logs.js';
import { gpuKindOf, type NodeInfo, nodeSpecOf } from './nodes.js';
import { placementConstraints, serviceSpec } from './service.js';
import { objectName } from './session.js';

const spec = (more: Partial<ExecSpec> = {}): ExecSpec => ({
  sessionId: 's-abc',
  command: ['python', 'train.py', '--lr', '0.1'],
  shell: false,
  cwd: '/work/job',
  env: { SWARMLAB_OUTPUT_DIR: '/data/sessions/s-abc/output', CUDA_VISIBLE_DEVICES: '', A: 'b=c' },
  dir: '/data/sessions/s-abc',
  image: 'trainer:1',
  resources: { cpus: 1.5, memoryMb: 512, gpus: [] },
  node: 'gpu-1',
  pool: 'training',
  labels: {},
  ...more,
});

const frame = (type: number, text: string): Buffer => {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = type;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
};

describe('container options', () => {
  it('runs the argv as given, with the contract environment, limits without swap, labels and mounts', () => {
    const o = containerOptions(spec(), 'host');
    assert.equal(o.name, 'swarmlab-s-abc');
    assert.equal(o.Image, 'trainer:1');
    assert.deepEqual(o.Cmd, ['python', 'train.py', '--lr', '0.1']);
    assert.deepEqual(o.Env, [
      'SWARMLAB_OUTPUT_DIR=/data/sessions/s-abc/output',
      'CUDA_VISIBLE_DEVICES=',
      'A=b=c',
    ]);
    assert.equal(o.WorkingDir, '/work/job');
    assert.deepEqual(o.Labels, {
      'swarmlab.session': 's-abc',
      'swarmlab.node': 'gpu-1',
      'swarmlab.pool': 'training',
    });
    const h = o.HostConfig!;
    assert.equal(h.NanoCpus, 1_500_000_000);
    assert.equal(h.Memory, 512 * 2 ** 20);
    assert.equal(h.MemorySwap, h.Memory);
    assert.equal(h.NetworkMode, 'host');
    assert.equal(h.AutoRemove, false);
    assert.equal(h.DeviceRequests, undefined);
    assert.equal(h.ExtraHosts, undefined);
    assert.deepEqual(h.Mounts, [
      {
        Type: 'bind',
        Source: '/data/sessions/s-abc/output',
        Target: '/data/sessions/s-abc/output',
        ReadOnly: false,
      },
      { Type: 'bind', Source: '/work/job', Target: '/work/job', ReadOnly: true },
    ]);
  });

  it('gives a shell command to sh -c, and mounts no working directory that lies in the output one', () => {
    const out = '/data/sessions/s-abc/output';
    const o = containerOptions(
      spec({ shell: true, command: ['echo', '$HOME', '&&', 'true'], cwd: out }),
      'host',
    );
    assert.deepEqual(o.Cmd, ['sh', '-c', 'echo $HOME && true']);
    assert.deepEqual(
      o.HostConfig!.Mounts!.map((m) => m.Target),
      [out],
    );
  });

  it('requests exactly the granted GPUs, numbered from 0 inside; a bridge network reaches the host by name', () => {
    const o = containerOptions(spec({ resources: { cpus: 1, memoryMb: 0, gpus: [1, 3] } }), 'bridge');
    const h = o.HostConfig!;
    assert.deepEqual(h.DeviceRequests, [
      { Driver: 'nvidia', DeviceIDs: ['1', '3'], Capabilities: [['gpu']] },
    ]);
    assert.ok(o.Env!.includes('CUDA_VISIBLE_DEVICES=0,1'));
    assert.equal(h.Memory, undefined);
    assert.deepEqual(h.ExtraHosts, ['host.docker.internal:host-gateway']);
    assert.equal(h.NetworkMode, 'bridge');
  });

  it('names objects within what services accept', () => {
    assert.equal(objectName('a_b.c'), 'swarmlab-a-b-c');
    assert.equal(objectName('x'.repeat(80)).length, 63);
  });
});

describe('service spec', () => {
  it('pins the node, requires the pool and labels, and never restarts the one task', () => {
    const s = serviceSpec(spec({ pool: 'production', labels: { zone: 'a' } }), {
      network: 'host',
      gpuKind: 'gpu',
    });
    assert.equal(s.Name, 'swarmlab-s-abc');
    assert.equal(s.Labels!['swarmlab.session'], 's-abc');
    assert.deepEqual(s.Mode, { Replicated: { Replicas: 1 } });
    const task = s.TaskTemplate as Required<NonNullable<typeof s.TaskTemplate>> & {
      ContainerSpec: Record<string, unknown>;
    };
    assert.deepEqual(task.RestartPolicy, { Condition: 'none' });
    assert.deepEqual(task.Placement!.Constraints, [
      'node.hostname==gpu-1',
      'node.labels.swarmlab.pool==production',
      'node.labels.zone==a',
    ]);
    assert.deepEqual(task.Networks, [{ Target: 'host' }]);
    assert.deepEqual(task.Resources, {
      Limits: { NanoCPUs: 1_500_000_000, MemoryBytes: 512 * 2 ** 20 },
      Reservations: { NanoCPUs: 1_500_000_000, MemoryBytes: 512 * 2 ** 20 },
    });
    const c = task.ContainerSpec;
    assert.equal(c.Image, 'trainer:1');
    assert.deepEqual(c.Command, ['python', 'train.py', '--lr', '0.1']);
    assert.equal(c.Dir, '/work/job');
    assert.equal((c.Mounts as unknown[]).length, 2);
    assert.ok((c.Env as string[]).includes('A=b=c'));
  });

  it('reserves GPUs by count under the kind the nodes advertise', () => {
    const s = serviceSpec(spec({ resources: { cpus: 1, memoryMb: 256, gpus: [0, 2] } }), {
      network: 'overlay-net',
      gpuKind: 'NVIDIA-GPU',
    });
    const res = (s.TaskTemplate as { Resources: { Reservations: { GenericResources: unknown } } }).Resources;
    assert.deepEqual(res.Reservations.GenericResources, [
      { DiscreteResourceSpec: { Kind: 'NVIDIA-GPU', Value: 2 } },
    ]);
  });

  it('needs no pool label for the default pool, whose nodes may have none', () => {
    assert.deepEqual(placementConstraints(spec()), ['node.hostname==gpu-1']);
    // The scheduler knows swarm nodes as `swarm:HOSTNAME`.
    assert.deepEqual(placementConstraints(spec({ node: 'swarm:gpu-2' })), ['node.hostname==gpu-2']);
    assert.deepEqual(placementConstraints(spec({ node: '', labels: { gpu: 'a100' } })), [
      'node.labels.gpu==a100',
    ]);
  });
});

describe('swarm nodes', () => {
  const node = (more: Partial<NodeInfo> = {}): NodeInfo => ({
    Spec: { Labels: { 'swarmlab.pool': 'production', zone: 'a' }, Availability: 'active' },
    Status: { State: 'ready' },
    Description: {
      Hostname: 'gpu-1',
      Resources: {
        NanoCPUs: 8_000_000_000,
        MemoryBytes: 16 * 2 ** 30,
        GenericResources: [
          { NamedResourceSpec: { Kind: 'NVIDIA-GPU', Value: 'GPU-aaa' } },
          { NamedResourceSpec: { Kind: 'NVIDIA-GPU', Value: 'GPU-bbb' } },
          { DiscreteResourceSpec: { Kind: 'fpga', Value: 1 } },
        ],
      },
    },
    ...more,
  });

  it('maps hostname, pool label, other labels, CPUs, memory and GPUs', () => {
    assert.deepEqual(nodeSpecOf(node()), {
      name: 'swarm:gpu-1',
      pool: 'production',
      labels: { zone: 'a' },
      capacity: {
        cpus: 8,
        memoryMb: 16 * 1024,
        gpus: [
          { index: 0, name: 'NVIDIA-GPU', memoryMb: 0 },
          { index: 1, name: 'NVIDIA-GPU', memoryMb: 0 },
        ],
      },
    });
    assert.equal(gpuKindOf(node()), 'NVIDIA-GPU');
  });

  it('counts discrete GPUs, defaults the pool, and leaves out nodes that are down or drained', () => {
    const plain = node({
      Spec: { Availability: 'active' },
      Description: {
        Hostname: 'cpu-1',
        Resources: {
          NanoCPUs: 2e9,
          MemoryBytes: 2 ** 30,
          GenericResources: [{ DiscreteResourceSpec: { Kind: 'gpu', Value: 2 } }],
        },
      },
    });
    const spec = nodeSpecOf(plain)!;
    assert.equal(spec.pool, 'training');
    assert.deepEqual(spec.labels, {});
    assert.deepEqual(
      spec.capacity.gpus.map((g) => g.index),
      [0, 1],
    );
    assert.equal(nodeSpecOf(node({ Status: { State: 'down' } })), undefined);
    assert.equal(nodeSpecOf(node({ Spec: { Availability: 'drain' } })), undefined);
    assert.equal(gpuKindOf(undefined), 'gpu');
  });
});

describe('log demultiplexing', () => {
  it('parses frames split anywhere, header included', () => {
    const bytes = Buffer.concat([frame(1, 'out\n'), frame(2, 'err\n'), frame(0, 'in'), frame(1, 'tail')]);
    const p = new FrameParser();
    const frames = [
      ...p.push(bytes.subarray(0, 5)),
      ...p.push(bytes.subarray(5, 15)),
      ...p.push(bytes.subarray(15)),
    ];
    assert.deepEqual(
      frames.map((f) => `${f.stream}:${f.payload}`),
      ['stdout:out\n', 'stderr:err\n', 'stdout:tail'],
    );
  });

  it('reading a log again from its start adds only what the files lack', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'swarmlab-logsink-'));
    try {
      const first = await LogSink.open(dir, true);
      await first.copy([Buffer.concat([frame(1, 'a\n'), frame(2, 'x\n')])]);
      await first.close();
      const again = await LogSink.open(dir, false);
      await again.copy([Buffer.concat([frame(1, 'a\n'), frame(2, 'x\n'), frame(1, 'b\n')]), frame(2, 'y')]);
      await again.copy([Buffer.concat([frame(1, 'a\nb\nc\n')])]);
      await again.close();
      assert.equal(await readFile(join(dir, 'stdout.log'), 'utf8'), 'a\nb\nc\n');
      assert.equal(await readFile(join(dir, 'stderr.log'), 'utf8'), 'x\ny');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('counts output from before the container started as not its own', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'swarmlab-logsink-'));
    try {
      await writeFile(join(dir, 'stdout.log'), 'earlier\n');
      const sink = await LogSink.open(dir, true);
      await sink.copy([frame(1, 'new\n')]);
      await sink.close();
      const again = await LogSink.open(dir, false);
      await again.copy([frame(1, 'new\nmore\n')]);
      await again.close();
      assert.equal(await readFile(join(dir, 'stdout.log'), 'utf8'), 'earlier\nnew\nmore\n');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});

describe('exit mapping', () => {
  const task = (State: string, ExitCode: number, Err?: string): SwarmTask => ({
    ID: 't',
    Status: { State, Err, ContainerStatus: { ContainerID: 'c', ExitCode } },
  });
  const ctx = { memoryMb: 32, killed: undefined, oomKilled: false };

  it('reads containers: OOM first, then 128+N as signal N', () => {
    const free = { memoryMb: 32, killed: undefined };
    assert.deepEqual(containerExit({ ExitCode: 137, OOMKilled: true }, free), {
      exitCode: 137,
      signal: null,
      oomKilled: true,
      reason: 'killed by the OOM killer (memory limit 32 MB)',
    });
    // Docker recorded the exit before the OOM event: nobody else sends SIGKILL to a memory-limited container.
    assert.deepEqual(containerExit({ ExitCode: 137, OOMKilled: false }, free), {
      exitCode: 137,
      signal: null,
      oomKilled: true,
      reason: 'killed by the OOM killer (memory limit 32 MB), inferred from exit 137',
    });
    assert.deepEqual(
      containerExit({ ExitCode: 137, OOMKilled: false }, { memoryMb: 32, killed: 'SIGKILL' }),
      {
        exitCode: null,
        signal: 'SIGKILL',
      },
    );
    assert.deepEqual(containerExit({ ExitCode: 137, OOMKilled: false }, { memoryMb: 0, killed: undefined }), {
      exitCode: null,
      signal: 'SIGKILL',
    });
    assert.deepEqual(containerExit({ ExitCode: 3, OOMKilled: false }, free), {
      exitCode: 3,
      signal: null,
    });
  });

  it('reads swarm tasks by state', () => {
    assert.deepEqual(taskExit(task('complete', 0), ctx), { exitCode: 0, signal: null });
    assert.deepEqual(taskExit(task('failed', 3, 'task: non-zero exit (3)'), ctx), {
      exitCode: 3,
      signal: null,
    });
    assert.equal(taskExit(task('failed', 137), { ...ctx, oomKilled: true }).oomKilled, true);
    assert.deepEqual(taskExit(task('failed', 137), { ...ctx, killed: 'SIGTERM' }), {
      exitCode: null,
      signal: 'SIGKILL',
    });
    assert.match(
      taskExit(task('rejected', 0, 'No such image: x:1'), ctx).reason!,
      /rejected.*No such image: x:1/,
    );
    assert.match(taskExit(task('failed', 0, 'starting container failed'), ctx).reason!, /starting container/);
    assert.equal(taskExit(task('orphaned', 0), ctx).lost, true);
    assert.deepEqual(taskExit(task('shutdown', 0), { ...ctx, killed: 'SIGTERM' }), {
      exitCode: null,
      signal: 'SIGTERM',
    });
  });

  it('takes an unexplained SIGKILL of a memory-limited task on another node for the OOM killer', () => {
    const info = taskExit(task('failed', 137), { memoryMb: 32, killed: undefined, oomKilled: undefined });
    assert.equal(info.oomKilled, true);
    assert.match(info.reason!, /inferred/);
    const unlimited = taskExit(task('failed', 137), { memoryMb: 0, killed: undefined, oomKilled: undefined });
    assert.deepEqual(unlimited, { exitCode: null, signal: 'SIGKILL' });
  });
});
