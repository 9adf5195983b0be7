import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { sessionEnv } from '../env.js';
import { hooksRecorder } from '../testing/recorder.js';
import type { ExecSpec } from '../types.js';
import { LocalExecutor } from './executor.js';
import { LineSplitter } from './lines.js';
import { outcome } from './wrapper.js';

describe('line splitting', () => {
  it('splits across chunks, strips CR, and knows where the unfinished line starts', () => {
    const s = new LineSplitter(100);
    assert.deepEqual(s.push(Buffer.from('ab\r\ncd')), { lines: ['ab'], ends: [4] });
    assert.equal(s.lineStart, 4);
    assert.deepEqual(s.push(Buffer.from('e\nf')), { lines: ['cde'], ends: [8] });
    assert.deepEqual(s.flush(), { lines: ['f'], ends: [9] });
  });

  it('keeps the head of a huge line and drops the rest with a marker', () => {
    const s = new LineSplitter(4);
    s.push(Buffer.from('abcdefgh'));
    assert.equal(s.lineStart, 0);
    const out = s.push(Buffer.from('ij\nok\n'));
    assert.deepEqual(out.lines, ['abcd … [truncated 6 bytes]', 'ok']);
  });
});

describe('exit status and environment', () => {
  it('reads 128+N as signal N', () => {
    assert.deepEqual(outcome(3, null), { exitCode: 3, signal: null });
    assert.deepEqual(outcome(137, null), { exitCode: null, signal: 'SIGKILL' });
    assert.deepEqual(outcome(null, 'SIGTERM'), { exitCode: null, signal: 'SIGTERM' });
  });

  it('drops the manager’s own SWARMLAB_* settings and lets the contract win over session variables', () => {
    const env = sessionEnv(
      {
        url: 'http://m',
        token: 't',
        sessionId: 's-1',
        dataset: undefined,
        node: 'n',
        gpus: [],
        gpuMemoryFraction: 1,
        cpus: 0.5,
        outputDir: '/o',
        user: { CUDA_VISIBLE_DEVICES: '0,1', MY_VAR: 'x' },
      },
      { PATH: '/bin', SWARMLAB_DATA_DIR: '/secret', CUDA_VISIBLE_DEVICES: '3' },
    );
    assert.equal(env.PATH, '/bin');
    assert.equal(env.SWARMLAB_DATA_DIR, undefined);
    assert.equal(env.CUDA_VISIBLE_DEVICES, '');
    assert.equal(env.MY_VAR, 'x');
    assert.equal(env.OMP_NUM_THREADS, '1');
    assert.equal(env.SWARMLAB_DEVICE, 'cpu');
    assert.equal(env.SWARMLAB_DATASET, '');
  });
});

describe('local executor', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'swarmlab-local-'));
  });
  after(async () => rm(dir, { recursive: true, force: true }));

  const spec = (id: string, command: string[], shell = false): ExecSpec => ({
    sessionId: id,
    command,
    shell,
    cwd: dir,
    env: { PATH: process.env.PATH ?? '' },
    dir: join(dir, id),
    resources: { cpus: 1, memoryMb: 512, gpus: [] },
    node: 'local',
    pool: 'training',
    labels: {},
  });

  it('captures output in order and the exit code, without a shell unless asked', async () => {
    const ex = new LocalExecutor();
    const r = hooksRecorder();
    await ex.start(
      spec('a', [process.execPath, '-e', 'console.log("a b"); console.error("$HOME"); process.exit(5)']),
      r.hooks,
    );
    assert.deepEqual(await r.exited, { exitCode: 5, signal: null });
    assert.deepEqual(r.lines, ['stdout:a b', 'stderr:$HOME']);
    const sh = hooksRecorder();
    await ex.start(spec('b', ['echo', '$((1+2))'], true), sh.hooks);
    await sh.exited;
    assert.deepEqual(sh.lines, ['stdout:3']);
    await ex.close();
  });

  it('escalates to SIGKILL when SIGTERM is ignored', async () => {
    const ex = new LocalExecutor();
    const r = hooksRecorder();
    await ex.start(
      spec('c', [
        process.execPath,
        '-e',
        'process.on("SIGTERM", () => {}); console.log("up"); setInterval(() => {}, 1000)',
      ]),
      r.hooks,
    );
    while (r.lines.length === 0) await new Promise((res) => setTimeout(res, 20));
    await ex.stop('c', 200);
    assert.deepEqual(await r.exited, { exitCode: null, signal: 'SIGKILL' });
    await ex.close();
  });

  it('re-attaches to a process a closed executor left running and resumes its output exactly', async () => {
    const first = new LocalExecutor();
    const r1 = hooksRecorder();
    const s = spec('d', [
      process.execPath,
      '-e',
      'console.log(1); setTimeout(() => { console.log(2); process.exit(9) }, 600)',
    ]);
    const handle = await first.start(s, r1.hooks);
    while (r1.lines.length === 0) await new Promise((res) => setTimeout(res, 20));
    await first.close();
    const second = new LocalExecutor({ pollMs: 20 });
    const r2 = hooksRecorder();
    assert.equal(await second.attach(s, handle, r2.hooks, r1.offsets.at(-1)!), true);
    assert.deepEqual(await r2.exited, { exitCode: 9, signal: null });
    assert.deepEqual(r2.lines, ['stdout:2']);
    // A live pid whose start time does not match is not ours: never attached; with no exit status, lost.
    const r3 = hooksRecorder();
    const other = spec('e', ['true']);
    const reused = { ...handle, pid: process.pid, dir: other.dir };
    assert.equal(await second.attach(other, reused, r3.hooks, { stdout: 0, stderr: 0 }), false);
    assert.equal((await r3.exited).lost, true);
    await second.close();
  });
});
