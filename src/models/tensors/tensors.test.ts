import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidError } from '../../errors/index.js';
import { ONNX_TYPES, onnxModel, rawFloat32, safetensors, tfjs } from '../testing/formats.js';
import { checkpoint } from '../testing/pytorch.js';
import type { WeightFormat } from '../types.js';
import { diffTensors, tensorEntries, toTensors, type WeightsDiff, WireScanner } from './index.js';

// Generation A and B of one model, by hand:
//   w [2,2]: a = 1 2 3 4, b = 1 2 3 5  → ‖a‖ = √30, ‖b‖ = √39, ‖a−b‖ = 1, a·b = 34, 1 of 4 changed
//   b [2]:   a = 0 0,     b = 3 4      → ‖a‖ = 0, ‖b‖ = 5, ‖a−b‖ = 5, relative change and cosine undefined
//   gone [1] only in A; new [1] only in B; s is [3] in A and [1,3] in B.
const A = { w: [1, 2, 3, 4], b: [0, 0], gone: [5], s: [1, 1, 1] };
const B = { w: [1, 2, 3, 5], b: [3, 4], new: [7], s: [1, 1, 1] };

function tensorsOf(format: WeightFormat, files: Record<string, Buffer>) {
  const bytes = new Map(Object.entries(files));
  const sizes = new Map(Object.entries(files).map(([n, b]) => [n, b.length]));
  return toTensors(tensorEntries(format, bytes, sizes), bytes);
}

const close = (actual: number | null, expected: number, what: string) => {
  assert.ok(actual !== null && Math.abs(actual - expected) < 1e-9, `${what}: ${actual} ≠ ${expected}`);
};

function checkHandComputed(diff: WeightsDiff): void {
  const byName = Object.fromEntries(diff.tensors.map((t) => [t.name, t]));
  const w = byName.w!;
  assert.equal(w.status, 'compared');
  assert.deepEqual(w.shapeA, [2, 2]);
  close(w.normA, Math.sqrt(30), 'w.normA');
  close(w.normB, Math.sqrt(39), 'w.normB');
  close(w.normDiff, 1, 'w.normDiff');
  close(w.relativeChange, 1 / Math.sqrt(30), 'w.relativeChange');
  close(w.cosine, 34 / Math.sqrt(30 * 39), 'w.cosine');
  assert.equal(w.changed, 1);
  assert.equal(w.fractionChanged, 0.25);
  assert.equal(w.maxAbsDiff, 1);
  const b = byName.b!;
  assert.equal(b.normA, 0);
  assert.equal(b.normB, 5);
  assert.equal(b.normDiff, 5);
  assert.equal(b.relativeChange, null);
  assert.equal(b.cosine, null);
  assert.equal(b.fractionChanged, 1);
  assert.equal(byName.gone!.status, 'removed');
  assert.equal(byName.new!.status, 'added');
  assert.deepEqual(byName.new!.shapeB, [1]);
  assert.equal(byName.s!.status, 'shape-mismatch');
  assert.deepEqual([byName.s!.shapeA, byName.s!.shapeB], [[3], [1, 3]]);
  const s = diff.summary;
  assert.deepEqual([s.compared, s.added, s.removed, s.shapeMismatch], [2, 1, 1, 1]);
  assert.equal(s.parameters, 6);
  assert.equal(s.changedParameters, 3);
  assert.equal(s.fractionChanged, 0.5);
  close(s.normA, Math.sqrt(30), 'summary.normA');
  close(s.normB, 8, 'summary.normB');
  close(s.normDiff, Math.sqrt(26), 'summary.normDiff');
  close(s.relativeChange, Math.sqrt(26 / 30), 'summary.relativeChange');
  close(s.cosine, 34 / (Math.sqrt(30) * 8), 'summary.cosine');
  assert.deepEqual(s.largestChange, { name: 'b', relativeChange: null });
}

describe('weight parsers and diff', () => {
  it('safetensors, with mixed dtypes (F32, I64, F16, BF16, F64, U8)', () => {
    const a = safetensors([
      { name: 'w', dtype: 'F32', shape: [2, 2], values: A.w },
      { name: 'b', dtype: 'I64', shape: [2], values: A.b },
      { name: 'gone', dtype: 'F16', shape: [1], values: A.gone },
      { name: 's', dtype: 'F32', shape: [3], values: A.s },
    ]);
    const b = safetensors([
      { name: 'w', dtype: 'BF16', shape: [2, 2], values: B.w },
      { name: 'b', dtype: 'F64', shape: [2], values: B.b },
      { name: 'new', dtype: 'U8', shape: [1], values: B.new },
      { name: 's', dtype: 'F32', shape: [1, 3], values: B.s },
    ]);
    const ta = tensorsOf('safetensors', { 'model.safetensors': a });
    assert.deepEqual([...ta.find((t) => t.name === 'gone')!.values()], [5]);
    checkHandComputed(diffTensors(ta, tensorsOf('safetensors', { 'model.safetensors': b })));
  });

  it('pytorch, with strided views, shared storages and a pytorch ↔ safetensors diff', () => {
    const a = checkpoint([
      // w stored transposed (strides [1, 2]), as torch.save keeps a `.t()` view.
      { name: 'w', storage: 'FloatStorage', values: [1, 3, 2, 4], shape: [2, 2], strides: [1, 2] },
      { name: 'b', storage: 'LongStorage', values: A.b, shape: [2] },
      { name: 'gone', storage: 'HalfStorage', values: A.gone, shape: [1] },
      { name: 's', storage: 'FloatStorage', values: [9, ...A.s], shape: [3], offset: 1 },
    ]);
    const b = checkpoint([
      { name: 'w', storage: 'DoubleStorage', values: B.w, shape: [2, 2] },
      { name: 'b', storage: 'IntStorage', values: B.b, shape: [2] },
      { name: 'new', storage: 'ByteStorage', values: B.new, shape: [1] },
      { name: 's', storage: 'FloatStorage', values: B.s, shape: [1, 3] },
    ]);
    const ta = tensorsOf('pytorch', { 'model.pt': a });
    assert.deepEqual([...ta.find((t) => t.name === 'w')!.values()], A.w);
    checkHandComputed(diffTensors(ta, tensorsOf('pytorch', { 'model.pt': b })));
    const sb = safetensors([
      { name: 'w', dtype: 'F32', shape: [2, 2], values: B.w },
      { name: 'b', dtype: 'F32', shape: [2], values: B.b },
      { name: 'new', dtype: 'F32', shape: [1], values: B.new },
      { name: 's', dtype: 'F32', shape: [1, 3], values: B.s },
    ]);
    checkHandComputed(diffTensors(ta, tensorsOf('safetensors', { 'model.safetensors': sb })));
  });

  it('raw-float32 with a JSON tensor index', () => {
    const files = (t: Record<string, number[]>, shapes: Record<string, number[]>) => {
      const { index, data } = rawFloat32(
        Object.entries(t).map(([name, values]) => ({ name, shape: shapes[name]!, values })),
      );
      return { 'index.json': Buffer.from(JSON.stringify({ tensors: index })), 'weights.bin': data };
    };
    const a = files(A, { w: [2, 2], b: [2], gone: [1], s: [3] });
    const b = files(B, { w: [2, 2], b: [2], new: [1], s: [1, 3] });
    checkHandComputed(diffTensors(tensorsOf('raw-float32', a), tensorsOf('raw-float32', b)));
  });

  it('tfjs, with weights crossing shard boundaries, int32 and uint8 quantization', () => {
    const a = tfjs(
      [
        { name: 'w', dtype: 'float32', shape: [2, 2], values: A.w },
        { name: 'b', dtype: 'int32', shape: [2], values: A.b },
        {
          name: 'gone',
          dtype: 'float32',
          shape: [1],
          values: A.gone,
          quantization: { dtype: 'uint8', scale: 0.5, min: 2 },
        },
        { name: 's', dtype: 'float32', shape: [3], values: A.s },
      ],
      10,
    );
    assert.equal(Object.keys(a).length, 1 + 4); // 37 bytes in 10-byte shards
    const b = tfjs(
      [
        { name: 'w', dtype: 'float32', shape: [2, 2], values: B.w },
        { name: 'b', dtype: 'int32', shape: [2], values: B.b },
        { name: 'new', dtype: 'float32', shape: [1], values: B.new },
        { name: 's', dtype: 'float32', shape: [1, 3], values: B.s },
      ],
      12,
    );
    const ta = tensorsOf('tfjs', a);
    assert.deepEqual([...ta.find((t) => t.name === 'gone')!.values()], [5]);
    checkHandComputed(diffTensors(ta, tensorsOf('tfjs', b)));
  });

  it('ONNX initializers: raw_data, packed and unpacked typed fields, external data', () => {
    const a = onnxModel([
      {
        name: 'w',
        dims: [2, 2],
        dataType: ONNX_TYPES.FLOAT,
        values: A.w,
        storage: 'typed',
        unpackedDims: true,
      },
      { name: 'b', dims: [2], dataType: ONNX_TYPES.INT64, values: A.b, storage: 'typed' },
      { name: 'gone', dims: [1], dataType: ONNX_TYPES.FLOAT16, values: A.gone, storage: 'typed-unpacked' },
      { name: 's', dims: [3], dataType: ONNX_TYPES.DOUBLE, values: A.s, storage: 'typed' },
    ]);
    const external = Buffer.concat([Buffer.alloc(8, 0xee), Buffer.from(new Float32Array(B.w).buffer)]);
    const b = onnxModel([
      {
        name: 'w',
        dims: [2, 2],
        dataType: ONNX_TYPES.FLOAT,
        values: B.w,
        storage: { external: 'model.data', offset: 8 },
      },
      { name: 'b', dims: [2], dataType: ONNX_TYPES.INT32, values: B.b, storage: 'typed-unpacked' },
      { name: 'new', dims: [1], dataType: ONNX_TYPES.INT8, values: B.new, storage: 'raw' },
      { name: 's', dims: [1, 3], dataType: ONNX_TYPES.FLOAT, values: B.s, storage: 'typed-unpacked' },
    ]);
    const ta = tensorsOf('onnx', { 'model.onnx': a });
    assert.deepEqual([...ta.find((t) => t.name === 'gone')!.values()], [5]);
    checkHandComputed(diffTensors(ta, tensorsOf('onnx', { 'model.onnx': b, 'model.data': external })));
    // Negative int64 values are 10-byte varints.
    const neg = onnxModel([
      { name: 'n', dims: [2], dataType: ONNX_TYPES.INT64, values: [-3, 2], storage: 'typed' },
    ]);
    assert.deepEqual([...tensorsOf('onnx', { 'm.onnx': neg })[0]!.values()], [-3, 2]);
    // The streaming shape check accepts the model in any chunking and refuses a truncated one.
    const scanner = new WireScanner();
    for (let i = 0; i < a.length; i += 3) scanner.push(a.subarray(i, i + 3));
    scanner.end();
    assert.ok(scanner.seen.has(7));
    const cut = new WireScanner();
    cut.push(a.subarray(0, a.length - 2));
    assert.throws(() => cut.end(), /truncated/);
  });

  it('honours the tolerance and counts NaN = NaN as unchanged', () => {
    const t = (name: string, values: number[]) => ({
      name,
      dtype: 'float64',
      shape: [values.length],
      values: () => Float64Array.from(values),
    });
    const diff = diffTensors([t('x', [1, Number.NaN, 3])], [t('x', [1.05, Number.NaN, 4])], {
      tolerance: 0.1,
    });
    assert.equal(diff.tensors[0]!.changed, 1);
    assert.equal(diff.tolerance, 0.1);
    const zero = diffTensors([t('z', [0, 0])], [t('z', [0, 0])]);
    assert.equal(zero.tensors[0]!.relativeChange, 0);
  });

  it('refuses tensors that do not fit their files, naming the file and tensor', () => {
    const bad = safetensors([{ name: 'w', dtype: 'F32', shape: [2, 2], values: A.w }]).subarray(0, -4);
    const err = (() => {
      try {
        tensorsOf('safetensors', { 'model.safetensors': Buffer.from(bad) });
      } catch (e) {
        return e;
      }
    })();
    assert.ok(err instanceof InvalidError);
    assert.deepEqual(
      [err.details.field, err.details.file, err.details.tensor],
      ['weights', 'model.safetensors', 'w'],
    );
    const files = tfjs([{ name: 'w', dtype: 'float32', shape: [2, 2], values: A.w }], 100);
    delete files['group1-shard1of1.bin'];
    assert.throws(() => tensorsOf('tfjs', files), /group1-shard1of1\.bin: missing/);
  });
});
