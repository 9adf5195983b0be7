// Tests for the csv format code, on hand-made files and real data where the machine has it.
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { InvalidError } from '../../errors/index.js';
import type { Column, CsvOptions, ImportResult, Utf8Column } from './index.js';
import { findColumn, importCsv, utf8At } from './index.js';
import { diskFile, memFile } from './testing/streams.js';

const fixture = (name: string): Buffer => readFileSync(new URL(`./fixtures/${name}`, import.meta.url));
const load = (text: string | Uint8Array, options: CsvOptions = {}, chunk = 5): Promise<ImportResult> =>
  importCsv({ files: [memFile('t.csv', text, chunk)], options });
const column = (r: ImportResult, name: string): Column => {
  const c = findColumn(r, name);
  assert.ok(c, `no column ${name}`);
  return c;
};
const texts = (c: Column): string[] =>
  Array.from({ length: c.shape[0] as number }, (_, i) => utf8At(c as Utf8Column, i));

async function rejects(text: string, options: CsvOptions, pattern: RegExp, details: object): Promise<void> {
  await assert.rejects(load(text, options), (err: unknown) => {
    assert.ok(err instanceof InvalidError, String(err));
    assert.match(err.message, pattern);
    for (const [k, v] of Object.entries(details)) assert.deepEqual(err.details[k], v, k);
    return true;
  });
}

describe('csv import', () => {
  it('types columns, unquotes RFC 4180 fields and dictionary-encodes a text label', async () => {
    for (const chunk of [1, 3, 7, 4096]) {
      const r = await load(fixture('table.csv'), { label: 'species' }, chunk);
      assert.equal(r.kind, 'table');
      assert.equal(r.rows, 4);
      assert.deepEqual(column(r, 'id'), {
        name: 'id',
        dtype: 'int32',
        shape: [4],
        data: new Int32Array([1, 2, 3, 4]),
      });
      assert.deepEqual(column(r, 'sepal_length').data, new Float64Array([5.1, 7, 4.9, 6.3]));
      assert.equal(column(r, 'note').dtype, 'utf8');
      assert.deepEqual(texts(column(r, 'note')), ['plain', 'has, comma', 'two\r\nlines', 'say "hi"']);
      assert.deepEqual(column(r, 'species'), {
        name: 'species',
        dtype: 'int32',
        shape: [4],
        data: new Int32Array([0, 1, 0, 2]),
      });
      assert.deepEqual(r.meta, {
        header: ['id', 'species', 'sepal_length', 'note'],
        label: 'species',
        labelNames: ['setosa', 'versicolor', 'virginica'],
      });
    }
  });

  it('treats empty and NA fields as missing in float64 columns; keeps text columns verbatim', async () => {
    const r = await load('\uFEFFa,b,c,label\n1,,x,1\n2,NA,,0\n3,2.5,"",1\n\n4, 7 ,z,0\n');
    assert.deepEqual(column(r, 'a').data, new Int32Array([1, 2, 3, 4]));
    const b = column(r, 'b');
    assert.equal(b.dtype, 'float64');
    assert.deepEqual(b.data, new Float64Array([Number.NaN, Number.NaN, 2.5, 7]));
    assert.deepEqual(texts(column(r, 'c')), ['x', '', '', 'z']);
    assert.deepEqual(column(r, 'label').data, new Int32Array([1, 0, 1, 0]));
    assert.equal(r.meta.label, 'label');
  });

  it('widens integers to float64 and falls back to utf8 on the first non-number', async () => {
    const r = await load('i,f,s\n1,1,1\n2,2.5,2\n3000000000,3,three\n');
    assert.deepEqual(column(r, 'i').data, new Float64Array([1, 2, 3e9]));
    assert.deepEqual(column(r, 'f').data, new Float64Array([1, 2.5, 3]));
    assert.deepEqual(texts(column(r, 's')), ['1', '2', 'three']);
  });

  it("reads scikit-learn's bundled-CSV layout with skipLines and explicit column names", async () => {
    const columns = ['sepal_length', 'sepal_width', 'petal_length', 'petal_width', 'target'];
    const text = fixture('iris_sklearn.csv');
    const first = text.toString().split('\n')[0]?.split(',') ?? [];
    const r = await load(text, { skipLines: 1, columns, label: 'target' });
    assert.equal(r.rows, Number(first[0]));
    assert.equal(r.columns.length - 1, Number(first[1]));
    assert.deepEqual(column(r, 'target').data, new Int32Array([0, 0, 1, 1, 2, 2]));
    assert.deepEqual(column(r, 'petal_length').data, new Float64Array([1.4, 1.4, 4.7, 4.5, 6, 5.1]));
  });

  it('rejects ragged rows, duplicate or unknown names and broken quoting, naming the line', async () => {
    await rejects('a,b,c\n1,2,3\n"x\ny",2\n', {}, /^line 3: 2 fields, header has 3/, {
      line: 3,
      field: 'fields',
      expected: 3,
      actual: 2,
    });
    await rejects('a,b\n"1\n2",2\n3,4,5\n', {}, /^line 4: 3 fields, header has 2/, { line: 4, actual: 3 });
    await rejects('a,b,a\n1,2,3\n', {}, /^line 1: duplicate column name 'a' \(fields 1 and 3\)/, {
      line: 1,
      field: 'header',
      column: 'a',
    });
    await rejects('x,y\n1,2\n', { label: 'target' }, /label column 'target' is not in the header \(x, y\)/, {
      field: 'label',
      column: 'target',
    });
    await rejects('a,b\n1,"open\n', {}, /line 2: quoted field is not closed/, { line: 2 });
    await rejects('a,b\n1,"x"y\n', {}, /line 2, field 2: unexpected character after a closing quote/, {
      line: 2,
      column: 2,
    });
  });
});

// NumPy ships real CSV test vectors; use them when this machine has NumPy installed.
const NUMPY = '/root/.pyenv/versions/3.11.7/lib/python3.11/site-packages/numpy';
const mt = `${NUMPY}/random/tests/data/mt19937-testset-1.csv`;
const umath = `${NUMPY}/_core/tests/data/umath-validation-set-cos.csv`;
describe('csv with real files', { skip: !existsSync(mt) && 'NumPy test data not present' }, () => {
  it("imports NumPy's MT19937 test vectors", async () => {
    const r = await importCsv({ files: [diskFile(mt)] });
    assert.equal(r.rows, 1000);
    const seed = column(r, 'seed');
    assert.deepEqual(
      seed.data,
      Int32Array.from({ length: 1000 }, (_, i) => i),
    );
    const words = texts(column(r, ' 0xdeadbeaf'));
    const lines = readFileSync(mt, 'utf8').trim().split('\n').slice(1);
    assert.deepEqual(
      words,
      lines.map((l) => l.slice(l.indexOf(',') + 1)),
    );
  });

  it("reports the first ragged line of NumPy's umath validation set (its ## comment lines)", async () => {
    const lines = readFileSync(umath, 'utf8').split('\n');
    const bad = lines.findIndex((l, i) => i > 0 && l.split(',').length !== 4) + 1;
    await assert.rejects(importCsv({ files: [diskFile(umath)] }), (err: unknown) => {
      assert.ok(err instanceof InvalidError);
      assert.equal(err.details.line, bad);
      return true;
    });
  });
});
