import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { type SessionEnvInput, sessionEnv } from './env.js';

const input = (
  gpus: number[],
  gpuMemoryFraction: number,
  user?: Record<string, string>,
): SessionEnvInput => ({
  url: 'http://m',
  token: 't',
  sessionId: 's-1',
  dataset: undefined,
  node: 'n',
  gpus,
  gpuMemoryFraction,
  cpus: 1,
  outputDir: '/o',
  ...(user ? { user } : {}),
});

describe('GPU share in the forms frameworks read', () => {
  it('sets TensorFlow memory growth and the JAX fraction for part of a GPU only', () => {
    const part = sessionEnv(input([0], 0.25), {});
    assert.equal(part.SWARMLAB_GPU_MEMORY_FRACTION, '0.25');
    assert.equal(part.TF_FORCE_GPU_ALLOW_GROWTH, 'true');
    assert.equal(part.XLA_PYTHON_CLIENT_MEM_FRACTION, '0.25');
    for (const whole of [sessionEnv(input([0], 1), {}), sessionEnv(input([], 0.25), {})]) {
      assert.equal(whole.TF_FORCE_GPU_ALLOW_GROWTH, undefined);
      assert.equal(whole.XLA_PYTHON_CLIENT_MEM_FRACTION, undefined);
    }
  });

  it('lets the session’s own variables override them, not the contract', () => {
    const env = sessionEnv(
      input([0], 0.5, { TF_FORCE_GPU_ALLOW_GROWTH: 'false', SWARMLAB_GPU_MEMORY_FRACTION: '1' }),
      {},
    );
    assert.equal(env.TF_FORCE_GPU_ALLOW_GROWTH, 'false');
    assert.equal(env.SWARMLAB_GPU_MEMORY_FRACTION, '0.5');
  });
});
