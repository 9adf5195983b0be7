// Hand-made hostile inputs: headers declaring huge sizes over tiny bodies, and one regression case per bug the fuzzing found.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { importers } from '../../src/datasets/formats/index.js';
import { memFile } from '../../src/datasets/formats/testing/streams.js';
import { InvalidError, TooLargeError } from '../../src/errors/index.js';
import { tensorEntries, tensorValues } from '../../src/models/tensors/index.js';
import type { WeightFormat } from '../../src/models/types.js';
import { pbBytes, pbFixed32, pbVarint } from '../../src/testing/protobuf.js';
import { idxHeader } from './seeds.js';

/** A v2 .npy file: magic, 4-byte header length, the header text, then `data`. */
function npy(header: string, data: Uint8Array = new Uint8Array()): Buffer {
  const text = Buffer.from(header, 'latin1');
  const length = Buffer.alloc(4);
  length.writeUInt32LE(text.length);
  return Buffer.concat([Buffer.from([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 2, 0]), length, text, data]);
}

/** Imports `bytes` whose stream then stalls; returns the buffer memory held while stalled, and the outcome. */
async function heldWhileStalled(
  format: 'npy' | 'idx',
  bytes: Uint8Array,
): Promise<{ held: number; error: unknown }> {
  let release!: () => void;
  const stalled = new Promise<void>((resolve) => {
    release = resolve;
  });
  async function* body() {
    yield bytes;
    await stalled;
  }
  const before = process.memoryUsage().arrayBuffers;
  const done = (importers[format] as (s: unknown) => Promise<unknown>)({
    files: [{ name: 'f', body: body() }],
  }).then(
    () => undefined,
    (err: unknown) => err,
  );
  await new Promise((resolve) => setTimeout(resolve, 50));
  const held = process.memoryUsage().arrayBuffers - before;
  release();
  return { held, error: await done };
}

const refused = (err: unknown, type: typeof InvalidError | typeof TooLargeError, field: string) => {
  assert.ok(err instanceof type, `expected ${type.name}, got ${(err as Error)?.stack ?? err}`);
  assert.equal((err as InvalidError).details.field, field, JSON.stringify((err as InvalidError).details));
  return true;
};

const MiB = 2 ** 20;

describe('headers that declare huge sizes over tiny bodies', () => {
  it('npy and idx hold at most a few MiB while waiting for 2 GiB a header promised (was 64 MiB)', async () => {
    const cases: Array<['npy' | 'idx', Buffer]> = [
      ['npy', npy("{'descr': '<f8', 'fortran_order': False, 'shape': (268435456,), }")],
      ['idx', idxHeader(8, [0x7fffffff])],
      ['idx', idxHeader(14, [16384, 16384])],
    ];
    for (const [format, bytes] of cases) {
      const { held, error } = await heldWhileStalled(format, bytes);
      assert.ok(held < 4 * MiB, `${format}: ${held / MiB} MiB held for a ${bytes.length}-byte body`);
      refused(error, InvalidError, format === 'npy' ? 'shape' : 'data');
    }
  });

  it('npy and idx refuse sizes no array can hold before reading the body', async () => {
    const npyFile = npy("{'descr': '<f4', 'fortran_order': True, 'shape': (1099511627776, 1099511627776), }");
    await assert.rejects(importers.npy({ files: [memFile('a.npy', npyFile)] }), (e) =>
      refused(e, TooLargeError, 'data'),
    );
    const idx = idxHeader(12, [0xffffffff, 0xffffffff]);
    await assert.rejects(importers.idx({ files: [memFile('a.idx', idx)] }), (e) =>
      refused(e, TooLargeError, 'data'),
    );
  });

  it('safetensors, ONNX and TF.js refuse shapes of 2^40 elements over a few bytes', () => {
    const header = Buffer.from(
      JSON.stringify({ w: { dtype: 'F32', shape: [2 ** 40], data_offsets: [0, 4] } }),
    );
    const length = Buffer.alloc(8);
    length.writeBigUInt64LE(BigInt(header.length));
    assertRefused('safetensors', { 'm.safetensors': Buffer.concat([length, header, Buffer.alloc(4)]) });
    length.writeBigUInt64LE(2n ** 63n);
    assertRefused('safetensors', { 'm.safetensors': Buffer.concat([length, header]) });
    const tensor = Buffer.concat([
      pbVarint(1, 2 ** 40),
      pbVarint(2, 1),
      pbBytes(8, 'w'),
      pbBytes(9, Buffer.alloc(4)),
    ]);
    assertRefused('onnx', { 'm.onnx': onnx(tensor) });
    const manifest = [{ paths: ['s.bin'], weights: [{ name: 'w', dtype: 'float32', shape: [2 ** 40] }] }];
    assertRefused('tfjs', {
      'model.json': Buffer.from(JSON.stringify({ weightsManifest: manifest })),
      's.bin': Buffer.alloc(4),
    });
  });
});

describe('regressions found by the fuzz suite', () => {
  it('npy: a header nested 100 000 levels deep is refused, not a stack overflow', async () => {
    const file = npy(`{'descr': ${'['.repeat(100_000)}`);
    await assert.rejects(importers.npy({ files: [memFile('a.npy', file, 4096)] }), (e) =>
      refused(e, InvalidError, 'header'),
    );
  });

  it("npy: a '__proto__' key is not read as the header dict's parent", async () => {
    const file = npy(
      "{'__proto__': {'descr': '<u1', 'fortran_order': False, 'shape': (1,)}}",
      new Uint8Array(1),
    );
    await assert.rejects(importers.npy({ files: [memFile('a.npy', file)] }), (e) =>
      refused(e, InvalidError, 'header'),
    );
  });

  it('tfjs: a null weight spec is refused, not a TypeError', () => {
    const manifest = [{ paths: ['s.bin'], weights: [null] }];
    assertRefused('tfjs', {
      'model.json': Buffer.from(JSON.stringify({ weightsManifest: manifest })),
      's.bin': Buffer.alloc(4),
    });
  });

  it('safetensors and tfjs: dtypes named after Object.prototype members are unsupported dtypes', () => {
    for (const dtype of ['constructor', 'toString', '__proto__']) {
      const header = Buffer.from(JSON.stringify({ w: { dtype, shape: [1], data_offsets: [0, 4] } }));
      const length = Buffer.alloc(8);
      length.writeBigUInt64LE(BigInt(header.length));
      const st = assertRefused('safetensors', {
        'm.safetensors': Buffer.concat([length, header, Buffer.alloc(4)]),
      });
      assert.match(st.message, /unsupported dtype/);
      const manifest = [{ paths: ['s.bin'], weights: [{ name: 'w', dtype, shape: [1] }] }];
      const tf = assertRefused('tfjs', {
        'model.json': Buffer.from(JSON.stringify({ weightsManifest: manifest })),
        's.bin': Buffer.alloc(4),
      });
      assert.match(tf.message, /unsupported dtype/);
    }
  });

  it('onnx: double_data sent as fixed32 and raw_data as a varint are refused, not read past the message', () => {
    const head = Buffer.concat([pbVarint(1, 1), pbVarint(2, 11), pbBytes(8, 'w')]);
    assertRefused('onnx', { 'm.onnx': onnx(Buffer.concat([head, pbFixed32(10, 1)])) });
    assertRefused('onnx', { 'm.onnx': onnx(Buffer.concat([head, pbVarint(9, 1)])) });
  });

  it('onnx: a packed int32_data of 300 000 values is read (was a stack overflow)', () => {
    const n = 300_000;
    const tensor = Buffer.concat([
      pbVarint(1, n),
      pbVarint(2, 6),
      pbBytes(8, 'w'),
      pbBytes(5, Buffer.alloc(n, 3)),
    ]);
    const files = new Map([['m.onnx', onnx(tensor)]]);
    const [entry] = tensorEntries('onnx', files, new Map([['m.onnx', files.get('m.onnx')!.length]]));
    assert.deepEqual(tensorValues(entry!, files), new Float64Array(n).fill(3));
  });
});

/** A ModelProto whose graph holds one initializer. */
const onnx = (tensor: Buffer): Buffer => Buffer.concat([pbVarint(1, 8), pbBytes(7, pbBytes(5, tensor))]);

function assertRefused(format: WeightFormat, named: Record<string, Buffer>): InvalidError {
  const files = new Map(Object.entries(named));
  const sizes = new Map([...files].map(([n, b]) => [n, b.length]));
  try {
    for (const e of tensorEntries(format, files, sizes)) tensorValues(e, files);
  } catch (err) {
    assert.ok(err instanceof InvalidError, `${format}: ${(err as Error).stack}`);
    assert.ok('field' in err.details, JSON.stringify(err.details));
    return err;
  }
  assert.fail(`${format}: accepted`);
}
