// The ModelRuntime contract, run against every adapter: signature, batched inference, batch invariance, dispose.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { mlpOnnx, randomLayers } from '../testing/onnx-builder.js';
import { tinyTfjsModel } from '../testing/tfjs-model.js';
import type { GenerationFiles, ModelRuntime } from '../types.js';
import { loadRuntime } from './index.js';

const IN = 6;
const OUT = 4;

const adapters: Record<string, () => Promise<GenerationFiles>> = {
  onnx: async () => ({
    model: 'm',
    generation: 1,
    format: 'onnx',
    primary: 'model.onnx',
    files: { 'model.onnx': mlpOnnx({ layers: randomLayers([IN, 10, OUT], 4) }) },
  }),
  tfjs: async () => ({
    model: 'm',
    generation: 1,
    format: 'tfjs',
    primary: 'model.json',
    files: (await tinyTfjsModel([IN, 10, OUT])).files,
  }),
};

for (const [kind, files] of Object.entries(adapters)) {
  describe(`ModelRuntime contract: ${kind}`, () => {
    it('has a signature with a free batch dimension and runs a batch as it runs its rows (given as views)', async () => {
      const runtime: ModelRuntime = await loadRuntime(await files());
      assert.equal(runtime.kind, kind);
      const [input] = runtime.signature.inputs;
      const [output] = runtime.signature.outputs;
      assert.deepEqual([input!.dtype, input!.shape], ['float32', [null, IN]]);
      assert.deepEqual([output!.dtype, output!.shape], ['float32', [null, OUT]]);
      const rows = 5;
      const data = Float32Array.from({ length: rows * IN }, (_, i) => Math.cos(i));
      const batch = await runtime.infer({ [input!.name]: { dtype: 'float32', shape: [rows, IN], data } });
      const y = batch[output!.name]!;
      assert.deepEqual(y.shape, [rows, OUT]);
      for (let r = 0; r < rows; r++) {
        // A view into the batch, not a copy: request tensors may be views over the body's bytes (fromBytes).
        const one = await runtime.infer({
          [input!.name]: { dtype: 'float32', shape: [1, IN], data: data.subarray(r * IN, (r + 1) * IN) },
        });
        const got = Array.from(one[output!.name]!.data as Float32Array);
        const want = Array.from((y.data as Float32Array).slice(r * OUT, (r + 1) * OUT));
        got.forEach((v, k) => {
          assert.ok(Math.abs(v - want[k]!) < 1e-5, `row ${r}: ${got} vs ${want}`);
        });
        assert.ok(Math.abs(got.reduce((a, b) => a + b, 0) - 1) < 1e-5, 'softmax rows sum to 1');
      }
      await runtime.dispose();
      await runtime.dispose();
    });
  });
}

describe('loadRuntime', () => {
  it('refuses formats it has no runtime for, naming the format', async () => {
    await assert.rejects(
      loadRuntime({ model: 'm', generation: 2, format: 'safetensors', primary: 'x', files: {} }),
      /generation 2 of m is safetensors, which is not served; only onnx and tfjs generations can be served$/,
    );
    await assert.rejects(
      loadRuntime({ model: 'm', generation: 3, format: 'pytorch', primary: 'model.pt', files: {} }),
      /generation 3 of m is pytorch, which is not served; .* \(export the model with torch\.onnx\.export/,
    );
  });
});
