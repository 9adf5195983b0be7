// The batcher against a recording runtime: merging, the row cap, shape separation, order, the in-flight bound.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Batcher } from './batcher.js';
import { DEFAULT_SERVING, type ModelRuntime, type ServingConfig, type Tensor } from './types.js';

/** Doubles its input; records each call's shape; each call takes `ms`. */
function recorder(ms = 5) {
  const calls: number[][] = [];
  let running = 0;
  let maxRunning = 0;
  const runtime: ModelRuntime = {
    kind: 'onnx',
    signature: {
      inputs: [{ name: 'x', dtype: 'float32', shape: [null, null] }],
      outputs: [{ name: 'y', dtype: 'float32', shape: [null, null] }],
    },
    async infer(inputs) {
      const x = inputs.x!;
      calls.push([...x.shape]);
      maxRunning = Math.max(maxRunning, ++running);
      await new Promise((r) => setTimeout(r, ms));
      running--;
      return { y: { ...x, data: Float32Array.from(x.data as Float32Array, (v) => v * 2) } };
    },
    async dispose() {},
  };
  return { runtime, calls, maxRunning: () => maxRunning };
}

const rows = (values: number[][]): Record<string, Tensor> => ({
  x: { dtype: 'float32', shape: [values.length, values[0]!.length], data: Float32Array.from(values.flat()) },
});
const config = (c: Partial<ServingConfig>) => () => ({ ...DEFAULT_SERVING, ...c });

describe('Batcher', () => {
  it('merges concurrent requests up to maxBatchSize rows and splits the answers back in order', async () => {
    const { runtime, calls } = recorder();
    const b = new Batcher(runtime, config({ maxBatchSize: 4, maxDelayMs: 50, maxInflight: 1 }));
    const requests = Array.from({ length: 10 }, (_, i) => b.submit(rows([[i, i + 0.5]])));
    const out = await Promise.all(requests);
    out.forEach((o, i) => {
      assert.deepEqual(Array.from(o.y!.data as Float32Array), [2 * i, 2 * i + 1]);
    });
    assert.ok(
      calls.every((c) => c[0]! <= 4),
      `calls ${JSON.stringify(calls)}`,
    );
    assert.ok(calls.length < 10, `no merging: ${JSON.stringify(calls)}`);
    await b.idle();
    assert.equal(b.pending, 0);
  });

  it('never mixes requests whose per-row shapes differ, and keeps a big request whole', async () => {
    const { runtime, calls } = recorder();
    const b = new Batcher(runtime, config({ maxBatchSize: 4, maxDelayMs: 20, maxInflight: 1 }));
    const wide = b.submit(rows([[1, 1, 1]]));
    const narrow = b.submit(rows([[2, 2]]));
    const big = b.submit(rows(Array.from({ length: 6 }, () => [3, 3])));
    const [w, n, g] = await Promise.all([wide, narrow, big]);
    assert.deepEqual(w.y!.shape, [1, 3]);
    assert.deepEqual(n.y!.shape, [1, 2]);
    assert.deepEqual(g.y!.shape, [6, 2]);
    for (const c of calls) assert.ok(c[1] === 3 ? c[0] === 1 : true, JSON.stringify(calls));
  });

  it('runs every request alone with batching off, at most maxInflight at a time', async () => {
    const { runtime, calls, maxRunning } = recorder(3);
    const b = new Batcher(runtime, config({ batching: false, maxInflight: 2 }));
    await Promise.all(Array.from({ length: 8 }, (_, i) => b.submit(rows([[i]]))));
    assert.deepEqual(
      calls.map((c) => c[0]),
      Array(8).fill(1),
    );
    assert.equal(maxRunning(), 2);
  });

  it('fails every request of a failed batch, and keeps serving afterwards', async () => {
    let fail = true;
    const { runtime } = recorder();
    const flaky: ModelRuntime = {
      ...runtime,
      signature: runtime.signature,
      infer: async (inputs) => {
        if (fail) throw new Error('boom');
        return runtime.infer(inputs);
      },
    };
    const b = new Batcher(flaky, config({ maxDelayMs: 10 }));
    const results = await Promise.allSettled([b.submit(rows([[1]])), b.submit(rows([[2]]))]);
    assert.deepEqual(
      results.map((r) => r.status),
      ['rejected', 'rejected'],
    );
    fail = false;
    assert.deepEqual(Array.from((await b.submit(rows([[4]]))).y!.data as Float32Array), [8]);
  });
});
