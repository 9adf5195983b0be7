import assert from 'node:assert/strict';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { InvalidError } from '../errors/index.js';
import { detectLocalNode, parseNvidiaSmiGpus } from './local-node.js';

const SAMPLE = `0, NVIDIA A100-SXM4-40GB, 40960
1, NVIDIA A100-SXM4-40GB, 40960
2, NVIDIA GeForce RTX 3090, 24576
`;

test('parses nvidia-smi csv output', () => {
  assert.deepEqual(parseNvidiaSmiGpus(SAMPLE), [
    { index: 0, name: 'NVIDIA A100-SXM4-40GB', memoryMb: 40960 },
    { index: 1, name: 'NVIDIA A100-SXM4-40GB', memoryMb: 40960 },
    { index: 2, name: 'NVIDIA GeForce RTX 3090', memoryMb: 24576 },
  ]);
  assert.deepEqual(parseNvidiaSmiGpus(''), []);
  assert.deepEqual(parseNvidiaSmiGpus('0, Odd, Name, 8192\r\n'), [
    { index: 0, name: 'Odd, Name', memoryMb: 8192 },
  ]);
});

test('names the malformed line', () => {
  assert.throws(
    () => parseNvidiaSmiGpus('0, Tesla T4, 15360\n1, Tesla T4, [N/A]\n'),
    (e: unknown) => e instanceof InvalidError && e.details.line === 2,
  );
});

let dir = '';
before(async () => {
  dir = await mkdtemp(join(os.tmpdir(), 'swarmlab-smi-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

async function script(name: string, body: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, `#!/bin/sh\n${body}\n`);
  await chmod(path, 0o755);
  return path;
}

test('detects cpus, memory and GPUs through a real nvidia-smi-like process', async () => {
  const smi = await script(
    'nvidia-smi',
    `[ "$1" = "--query-gpu=index,name,memory.total" ] || exit 3\nprintf '%s' '${SAMPLE}'`,
  );
  const spec = await detectLocalNode({
    name: 'here',
    pool: 'production',
    labels: { site: 'lab' },
    nvidiaSmi: smi,
  });
  assert.deepEqual(spec, {
    name: 'here',
    pool: 'production',
    labels: { site: 'lab' },
    capacity: {
      cpus: os.cpus().length,
      memoryMb: Math.floor(os.totalmem() / 1024 / 1024),
      gpus: parseNvidiaSmiGpus(SAMPLE),
    },
  });
});

test('missing binary means no GPUs and no warning', async () => {
  const warnings: string[] = [];
  const spec = await detectLocalNode({ nvidiaSmi: join(dir, 'absent'), onWarning: (w) => warnings.push(w) });
  assert.deepEqual(spec.capacity.gpus, []);
  assert.equal(spec.name, os.hostname());
  assert.equal(spec.pool, 'training');
  assert.deepEqual(warnings, []);
});

test('a failing or hanging nvidia-smi gives no GPUs and a warning', async () => {
  const failing = await script('smi-fail', 'echo "NVIDIA-SMI has failed" >&2; exit 9');
  const hanging = await script('smi-hang', 'exec sleep 10');
  const warnings: string[] = [];
  const onWarning = (w: string) => warnings.push(w);
  assert.deepEqual((await detectLocalNode({ nvidiaSmi: failing, onWarning })).capacity.gpus, []);
  assert.deepEqual(
    (await detectLocalNode({ nvidiaSmi: hanging, onWarning, timeoutMs: 100 })).capacity.gpus,
    [],
  );
  assert.equal(warnings.length, 2);
});
