// Tests for the libsvm format code, on hand-made files and real data where the machine has it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { InvalidError } from '../../errors/index.js';
import type { ImportResult } from './columns.js';
import { exportLibsvm, findColumn, importLibsvm } from './index.js';
import { collect, memFile } from './testing/streams.js';

const load = (text: string, chunk = 7, zeroBased?: boolean | 'auto'): Promise<ImportResult> =>
  importLibsvm({ files: [memFile('t.svm', text, chunk)], options: { zeroBased } });

const col = (r: ImportResult, name: string) => findColumn(r, name)?.data;

async function rejectsAt(text: string, line: number, field: string, pattern: RegExp): Promise<void> {
  await assert.rejects(load(text), (err: unknown) => {
    assert.ok(err instanceof InvalidError, String(err));
    assert.equal(err.details.line, line);
    assert.equal(err.details.field, field);
    assert.match(err.message, pattern);
    assert.match(err.message, new RegExp(`^line ${line}, column \\d+`));
    return true;
  });
}

/** A deterministic pseudo-random libsvm file: mixed labels, sparse increasing indices, odd values. */
function generate(rows: number, seed = 7): string {
  let s = seed;
  const rnd = (): number => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s / 0x7fffffff;
  };
  const lines: string[] = [];
  for (let r = 0; r < rows; r++) {
    const label = r % 3 === 0 ? String(r % 2 === 0 ? 1 : -1) : (rnd() * 100 - 50).toFixed(3);
    const parts = [label];
    let idx = 0;
    for (;;) {
      idx += 1 + Math.floor(rnd() * 6);
      if (idx > 40) break;
      const v =
        rnd() < 0.3
          ? String(Math.floor(rnd() * 10))
          : (rnd() * 2 - 1).toPrecision(1 + Math.floor(rnd() * 12));
      parts.push(`${idx}:${v}`);
    }
    lines.push(parts.join(' '));
  }
  return `${lines.join('\n')}\n`;
}

describe('libsvm import', () => {
  it('reads labels, CSR columns, comments, blank lines and CRLF across tiny chunks', async () => {
    const text = '# header comment\n+1 1:0.5 3:-2 # trailing\r\n\n-1\n2.5 2:1e-3 10:7\n  \t\n0 4:3';
    for (const chunk of [1, 2, 3, 5, 64]) {
      const r = await load(text, chunk);
      assert.equal(r.kind, 'sparse');
      assert.equal(r.rows, 4);
      assert.deepEqual(col(r, 'label'), new Float64Array([1, -1, 2.5, 0]));
      assert.deepEqual(col(r, 'indptr'), new Uint32Array([0, 2, 2, 4, 5]));
      assert.deepEqual(col(r, 'indices'), new Int32Array([0, 2, 1, 9, 3]));
      assert.deepEqual(col(r, 'values'), new Float32Array([0.5, -2, 1e-3, 7, 3]));
      assert.deepEqual(r.meta, { features: 10, zeroBased: false, qid: false, nnz: 5 });
    }
  });

  it('detects zero-based files and keeps qid', async () => {
    const r = await load('3 qid:1 0:1 5:2\n1 qid:2 1:4\n');
    assert.equal(r.meta.zeroBased, true);
    assert.equal(r.meta.features, 6);
    assert.deepEqual(col(r, 'indices'), new Int32Array([0, 5, 1]));
    assert.deepEqual(col(r, 'qid'), new Int32Array([1, 2]));
    assert.equal(r.meta.qid, true);
  });

  it('keeps integer labels exact and large labels unrounded', async () => {
    const r = await load('123456789012 1:1\n-7 2:1\n0.1 3:1\n');
    assert.deepEqual(col(r, 'label'), new Float64Array([123456789012, -7, 0.1]));
  });

  it('rejects malformed lines with the line number', async () => {
    await rejectsAt('1 1:2\nabc 1:2\n', 2, 'label', /label 'abc' is not a number/);
    await rejectsAt('1 1:2\n1 3:1 2:1\n', 2, 'index', /index 2 is not greater than the previous index 3/);
    await rejectsAt('1 1:2 1:3\n', 1, 'index', /index 1 is not greater/);
    await rejectsAt('1 1:2\n\n1 5\n', 3, 'pair', /'5' is not an index:value pair/);
    await rejectsAt('1 x:2\n', 1, 'index', /index 'x' is not a non-negative integer/);
    await rejectsAt('1 -1:2\n', 1, 'index', /index '-1'/);
    await rejectsAt('1 1:abc\n', 1, 'value', /value 'abc' is not a number/);
    await rejectsAt('1 1:\n', 1, 'value', /value '' is not a number/);
    await rejectsAt('1 1:1.5.2\n', 1, 'value', /is not a number/);
    await rejectsAt('1 qid:1 1:2\n2 1:1\n', 2, 'qid', /qid missing/);
    await rejectsAt('1 1:2 qid:3\n', 1, 'qid', /before the features/);
    await rejectsAt('1,0 1:2\n', 1, 'label', /'1,0' is not a number/);
  });

  it('rejects index 0 when told the file is one-based', async () => {
    await assert.rejects(load('1 0:1\n', 7, false), /index 0 in a one-based file/);
  });
});

describe('libsvm export', () => {
  it('round-trips generated data exactly: import → export → import', async () => {
    const text = generate(2000);
    const first = await load(text, 4093);
    const exported = await collect(exportLibsvm(first));
    const second = await importLibsvm({ files: [memFile('again.svm', exported, 1000)] });
    assert.equal(second.rows, 2000);
    for (const name of ['label', 'indptr', 'indices', 'values']) {
      assert.deepEqual(col(second, name), col(first, name), name);
    }
    assert.deepEqual(second.meta, first.meta);
    // A second export is byte-identical: the text form is canonical.
    assert.deepEqual(await collect(exportLibsvm(second)), exported);
  });

  it('round-trips hard float32 values, zero-based indices and qid', async () => {
    const hard = [1.1, 0.1, 16777217, 3.4028234663852886e38, 1.401298464324817e-45, -0, 1 / 3, 7e-39];
    const text = hard.map((v, k) => `${k} qid:${k} 0:${v} ${k + 1}:${-v}`).join('\n');
    const first = await load(text);
    const exported = (await collect(exportLibsvm(first))).toString();
    assert.match(exported.split('\n')[1] as string, /^1 qid:1 0:0.1 2:-0.1$/);
    const second = await importLibsvm({ files: [memFile('x', exported)] });
    for (const name of ['label', 'indptr', 'indices', 'values', 'qid']) {
      assert.deepEqual(col(second, name), col(first, name), name);
    }
  });

  it('streams in chunks rather than one buffer', async () => {
    const first = await load(generate(5000), 1 << 16);
    let parts = 0;
    for await (const part of exportLibsvm(first)) {
      assert.ok(part.length < 1 << 18);
      parts++;
    }
    assert.ok(parts > 1);
  });
});

// The Debian package ships the LIBSVM tools but no sample data, so the real-data check runs the real
// tools: svm-scale writes a file we must read, and svm-checkdata must accept what we export.
const tools = existsSync('/usr/bin/svm-scale') && existsSync('/usr/bin/svm-checkdata');
describe('libsvm with the LIBSVM tools', { skip: !tools && 'libsvm-tools not installed' }, () => {
  it('imports svm-scale output and exports files svm-checkdata accepts', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'libsvm-'));
    try {
      const raw = join(dir, 'raw.svm');
      writeFileSync(raw, generate(300, 11));
      const scaled = execFileSync('/usr/bin/svm-scale', ['-l', '-1', '-u', '1', raw], { encoding: 'utf8' });
      const r = await load(scaled, 333);
      assert.equal(r.rows, 300);
      const values = col(r, 'values') as Float32Array;
      assert.ok(values.every((v) => v >= -1 && v <= 1));
      const out = join(dir, 'out.svm');
      writeFileSync(out, await collect(exportLibsvm(r)));
      const check = execFileSync('/usr/bin/svm-checkdata', [out], { encoding: 'utf8' });
      assert.match(check, /No error/);
      // svm-scale prints %.g (6 digits), so each value re-reads to the same float32.
      const again = await importLibsvm({ files: [memFile('out', await collect(exportLibsvm(r)), 999)] });
      assert.deepEqual(col(again, 'values'), values);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
