// Tests for byte-level number parsing and shortest float32 printing.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatFloat32, parseInt32, parseNumber } from './numbers.js';

const bytes = (s: string): Uint8Array => new TextEncoder().encode(s);
const parse = (s: string): number => parseNumber(bytes(s), 0, s.length);

describe('parseNumber', () => {
  it('agrees with Number on valid decimals, including long and extreme ones', () => {
    const cases = [
      '0',
      '-0',
      '+3',
      '1.',
      '.5',
      '-.5e3',
      '1e-7',
      '1E+22',
      '123456789012345678',
      '0.1',
      '3.14159265358979323846',
      '4.9e-324',
      '1.7976931348623157e308',
      '1e400',
      '0.000000000000000000000000001',
      '9007199254740993',
      'inf',
      '-Infinity',
    ];
    for (const s of cases) assert.ok(Object.is(parse(s), Number(s.replace(/^(-?)inf$/i, '$1Infinity'))), s);
  });

  it('matches Number on random decimals (exact fast path)', () => {
    let seed = 1;
    const rnd = (): number => {
      seed = (seed * 48271) % 2147483647;
      return seed / 2147483647;
    };
    for (let k = 0; k < 20000; k++) {
      const v = (rnd() - 0.5) * 10 ** Math.floor(rnd() * 40 - 20);
      const s = k % 2 ? v.toPrecision(1 + Math.floor(rnd() * 17)) : v.toExponential(Math.floor(rnd() * 16));
      assert.equal(parse(s), Number(s), s);
    }
  });

  it('rejects what is not a number', () => {
    for (const s of [
      '',
      '-',
      '.',
      'e5',
      '1e',
      '1e+',
      '1.2.3',
      '0x10',
      '1_000',
      ' 1',
      '1 ',
      'nan',
      '--1',
      'infx',
    ]) {
      assert.ok(Number.isNaN(parse(s)), s);
    }
  });

  it('parses int32 bounds', () => {
    assert.equal(parseInt32(bytes('-2147483648'), 0, 11), -2147483648);
    assert.ok(Number.isNaN(parseInt32(bytes('2147483648'), 0, 10)));
    assert.ok(Number.isNaN(parseInt32(bytes('1.0'), 0, 3)));
  });
});

describe('formatFloat32', () => {
  it('prints the shortest text that reads back to the same float32', () => {
    assert.equal(formatFloat32(Math.fround(0.1)), '0.1');
    assert.equal(formatFloat32(Math.fround(1 / 3)), '0.33333334');
    assert.equal(formatFloat32(16777216), '16777216');
    assert.equal(formatFloat32(-0), '-0');
    const words = new Uint32Array(1);
    const f = new Float32Array(words.buffer);
    let seed = 99;
    for (let k = 0; k < 50000; k++) {
      seed = (seed * 48271) % 2147483647;
      words[0] = seed * 2 + (k & 1);
      const v = f[0] as number;
      if (!Number.isFinite(v)) continue;
      const s = formatFloat32(v);
      assert.ok(Object.is(Math.fround(Number(s)), v), `${v} → ${s}`);
      const digits = s
        .replace(/^-/, '')
        .replace(/e.*$/, '')
        .replace('.', '')
        .replace(/^0+/, '')
        .replace(/0+$/, '').length;
      if (digits > 1) {
        const shorter = Number(v.toPrecision(digits - 1));
        assert.notEqual(Math.fround(shorter), v, `${s} is not shortest`);
      }
    }
  });
});
