// Tests for the npy format code, on hand-made files and real data where the machine has it.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { InvalidError } from '../../errors/index.js';
import type { Column, ImportResult } from './columns.js';
import { exportNpy, importNpy } from './index.js';
import { collect, memFile } from './testing/streams.js';

// Fixtures were written by NumPy 2.4 (`np.save` / `np.lib.format.write_array(..., version=...)`); the
// fortran_*_transposed / _3d ones by Debian's NumPy 1.24 (`np.save` of a transposed / `order='F'` array).
const fixture = (name: string): Buffer => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
const load = (bytes: Uint8Array, chunk = 5, name?: string): Promise<ImportResult> =>
  importNpy({ files: [memFile('a.npy', bytes, chunk)], options: name ? { name } : {} });
const only = (r: ImportResult): Column => r.columns[0] as Column;

/** The payload offset of a .npy file, read from its header length field. */
const dataOffset = (b: Buffer): number => (b[6] === 1 ? 10 + b.readUInt16LE(8) : 12 + b.readUInt32LE(8));

describe('npy import', () => {
  it('reads every supported dtype and header version from NumPy-written files', async () => {
    const cases: Array<[string, string, number[], ArrayLike<number | bigint>]> = [
      ['f4_2x3.npy', 'float32', [2, 3], new Float32Array([0.1, -2.5, 3e-8, 1e30, 0, -0])],
      ['i8_v2.npy', 'int64', [2, 4], new BigInt64Array([-3n, -2n, -1n, 0n, 1n, 2n, 3n, 4n])],
      ['u2_v3.npy', 'uint16', [3], new Uint16Array([1, 65535, 300])],
      ['be_f8.npy', 'float64', [4], new Float64Array([1.5, -2.25, 1e-300, 7])],
      ['be_i4.npy', 'int32', [2, 2], new Int32Array([1, -2, 70000, -70000])],
      ['b1.npy', 'bool', [4], new Uint8Array([1, 0, 1, 1])],
      ['u1_3d.npy', 'uint8', [2, 3, 4], Uint8Array.from({ length: 24 }, (_, k) => (k * 11) % 256)],
      ['i1.npy', 'int8', [3], new Int8Array([-128, 127, 0])],
      ['u4.npy', 'uint32', [2], new Uint32Array([0, 4294967295])],
      ['i2.npy', 'int16', [2], new Int16Array([-32768, 32767])],
      ['scalar_f8.npy', 'float64', [], new Float64Array([3.25])],
      // Fortran order (a transposed or np.asfortranarray array): rows come out as NumPy reads them.
      ['fortran.npy', 'float32', [2, 3], new Float32Array([0, 1, 2, 3, 4, 5])],
      ['fortran_i2_transposed.npy', 'int16', [3, 4], new Int16Array([0, 3, 6, 9, 1, 4, 7, 10, 2, 5, 8, 11])],
      ['fortran_be_f8_3d.npy', 'float64', [2, 3, 4], Float64Array.from({ length: 24 }, (_, k) => k * 1.5)],
    ];
    for (const [file, dtype, shape, data] of cases) {
      const r = await load(fixture(file));
      assert.equal(r.kind, 'dense');
      const c = only(r);
      assert.equal(c.name, 'x');
      assert.equal(c.dtype, dtype, file);
      assert.deepEqual(c.shape, shape, file);
      assert.deepEqual(c.data, data, file);
      assert.equal(r.rows, shape[0] ?? 1);
    }
    assert.equal(only(await load(fixture('u4.npy'), 5, 'features')).name, 'features');
  });

  it('rejects lying headers, bad magic and unsupported dtypes', async () => {
    const expectInvalid = async (bytes: Uint8Array, pattern: RegExp, field: string): Promise<void> => {
      await assert.rejects(load(bytes), (err: unknown) => {
        assert.ok(err instanceof InvalidError, String(err));
        assert.match(err.message, pattern);
        assert.equal(err.details.field, field);
        assert.equal(typeof err.details.offset, 'number');
        return true;
      });
    };
    const fortran = fixture('fortran_i2_transposed.npy');
    await expectInvalid(fortran.subarray(0, fortran.length - 2), /needs 24 data bytes, file has 22/, 'shape');

    const f4 = fixture('f4_2x3.npy');
    await expectInvalid(
      f4.subarray(0, f4.length - 4),
      /shape \(2, 3\) of <f4 needs 24 data bytes, file has 20/,
      'shape',
    );
    await expectInvalid(Buffer.concat([f4, Buffer.alloc(8)]), /needs 24 data bytes, file has 32/, 'shape');
    // Same length header, but claiming 3x3: a lying header.
    const lying = Buffer.from(f4);
    lying.write("'shape': (3, 3)", lying.indexOf("'shape'"), 'latin1');
    await expectInvalid(lying, /shape \(3, 3\) of <f4 needs 36 data bytes, file has 24/, 'shape');

    const badMagic = Buffer.from(f4);
    badMagic[1] = 0x4f;
    await expectInvalid(badMagic, /bad magic/, 'magic');
    const c16 = Buffer.from(f4);
    c16.write("'<c8'", c16.indexOf("'<f4'"), 'latin1');
    await expectInvalid(c16, /unsupported .npy dtype '<c8'/, 'descr');
    const broken = Buffer.from(f4);
    broken.write('[', broken.indexOf('('), 'latin1');
    await expectInvalid(broken, /header/, 'header');
    await expectInvalid(f4.subarray(0, 40), /truncated header/, 'header');
  });
});

describe('npy export', () => {
  it('writes byte-for-byte what NumPy writes (v1 header padded to 64 bytes)', async () => {
    for (const file of ['f4_2x3.npy', 'b1.npy', 'u1_3d.npy', 'i1.npy', 'u4.npy', 'i2.npy', 'scalar_f8.npy']) {
      const original = fixture(file);
      const out = await collect(exportNpy(only(await load(original))));
      assert.equal(dataOffset(out) % 64, 0);
      assert.deepEqual(out, original, file);
    }
  });

  it('round-trips columns, big-endian sources included, comparing payload bytes', async () => {
    for (const file of ['i8_v2.npy', 'u2_v3.npy', 'be_f8.npy', 'be_i4.npy']) {
      const first = only(await load(fixture(file)));
      const out = await collect(exportNpy(first));
      assert.equal(out[6], 1);
      const second = only(await load(out, 3));
      assert.deepEqual(second, first, file);
      const payload = out.subarray(dataOffset(out));
      assert.deepEqual(payload, Buffer.from(first.data.buffer, first.data.byteOffset, first.data.byteLength));
    }
  });

  it('streams large columns in chunks', async () => {
    const big: Column = {
      name: 'x',
      dtype: 'float64',
      shape: [1000, 300],
      data: new Float64Array(300000).fill(1.5),
    };
    const parts: number[] = [];
    for await (const p of exportNpy(big)) parts.push(p.length);
    assert.ok(parts.length > 2);
    assert.ok(Math.max(...parts) <= 1 << 20);
    const back = only(await importNpy({ files: [{ name: 'big', body: exportNpy(big) }] }));
    assert.deepEqual(back, big);
  });

  it('refuses text columns and inconsistent shapes', async () => {
    const text: Column = {
      name: 's',
      dtype: 'utf8',
      shape: [1],
      data: new Uint8Array(1),
      offsets: new Uint32Array([0, 1]),
    };
    await assert.rejects(collect(exportNpy(text)), InvalidError);
    const bad: Column = { name: 'b', dtype: 'int32', shape: [3], data: new Int32Array(2) };
    await assert.rejects(collect(exportNpy(bad)), /does not match/);
  });
});
