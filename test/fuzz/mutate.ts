// Mutations of real files for the fuzz suite: bit flips, truncation, insertion, deletion, and fields overwritten with huge numbers.
import fc from 'fast-check';

/** Numbers a hostile header declares: sizes past every limit, all-ones, sign bits, zero. */
const HUGE = [2 ** 40, 2 ** 32 - 1, 2 ** 31, 2 ** 53 + 1, 2 ** 63, 2 ** 64 - 1, 0];
/** The same as text, plus what JSON and Python literals can spell but no size should be. */
const HUGE_TEXT = [
  '1099511627776',
  '4294967295',
  '18446744073709551615',
  '99999999999999999999999',
  '-1',
  '-1099511627776',
  'NaN',
  '1e400',
  '0',
  '1.5',
];

type Op =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; bytes: Uint8Array }
  | { kind: 'delete'; at: number; length: number }
  | { kind: 'huge'; at: number; width: 2 | 4 | 8; big: boolean; value: number }
  | { kind: 'number'; nth: number; text: string }
  | { kind: 'repeat'; at: number; length: number; times: number };

/** Positions are fractions of the file, so one mutation applies to a file of any length; unbiased, to spread them. */
const at = fc.noBias(fc.integer({ min: 0, max: 1_000_000 })).map((n) => n / 1_000_000);

const op: fc.Arbitrary<Op> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at, bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at }),
  fc.record({
    kind: fc.constant('insert' as const),
    at,
    bytes: fc.uint8Array({ minLength: 1, maxLength: 16 }),
  }),
  fc.record({ kind: fc.constant('delete' as const), at, length: fc.integer({ min: 1, max: 64 }) }),
  fc.record({
    kind: fc.constant('huge' as const),
    at,
    width: fc.constantFrom(2 as const, 4 as const, 8 as const),
    big: fc.boolean(),
    value: fc.constantFrom(...HUGE),
  }),
  fc.record({
    kind: fc.constant('number' as const),
    nth: fc.noBias(fc.nat(40)),
    text: fc.constantFrom(...HUGE_TEXT),
  }),
  fc.record({
    kind: fc.constant('repeat' as const),
    at,
    length: fc.integer({ min: 1, max: 32 }),
    times: fc.integer({ min: 2, max: 64 }),
  }),
);

function writeHuge(out: Buffer, pos: number, width: 2 | 4 | 8, big: boolean, value: number): void {
  const v = BigInt.asUintN(width * 8, BigInt(Math.min(value, 2 ** 64 - 1)));
  const bytes = Buffer.alloc(8);
  if (big) bytes.writeBigUInt64BE(v << BigInt(64 - width * 8));
  else bytes.writeBigUInt64LE(v);
  bytes.copy(out, pos, 0, Math.min(width, out.length - pos));
}

/** Replaces the `nth` run of digits (counting round the file) with `text`. */
function replaceNumber(bytes: Buffer, nth: number, text: string): Buffer {
  const runs = [...bytes.toString('latin1').matchAll(/\d+/g)];
  if (runs.length === 0) return bytes;
  const run = runs[nth % runs.length]!;
  const start = run.index;
  return Buffer.concat([bytes.subarray(0, start), Buffer.from(text), bytes.subarray(start + run[0].length)]);
}

function apply(bytes: Buffer, o: Op): Buffer {
  const pos = Math.min(bytes.length, Math.floor(o.kind === 'number' ? 0 : o.at * bytes.length));
  switch (o.kind) {
    case 'flip': {
      if (pos === bytes.length) return bytes;
      const out = Buffer.from(bytes);
      out[pos]! ^= 1 << o.bit;
      return out;
    }
    case 'truncate':
      return bytes.subarray(0, pos);
    case 'insert':
      return Buffer.concat([bytes.subarray(0, pos), o.bytes, bytes.subarray(pos)]);
    case 'delete':
      return Buffer.concat([bytes.subarray(0, pos), bytes.subarray(pos + o.length)]);
    case 'huge': {
      const out = Buffer.from(bytes);
      writeHuge(out, pos, o.width, o.big, o.value);
      return out;
    }
    case 'number':
      return replaceNumber(bytes, o.nth, o.text);
    case 'repeat': {
      const slice = bytes.subarray(pos, pos + o.length);
      return Buffer.concat([
        bytes.subarray(0, pos),
        ...Array.from({ length: o.times }, () => slice),
        bytes.subarray(pos),
      ]);
    }
    default: {
      const never: never = o;
      throw new Error(`unknown mutation ${JSON.stringify(never)}`);
    }
  }
}

/** One to four mutations of one of `seeds`; the result names the seed and the mutations, for a failure's report. */
export const mutated = (
  seeds: Record<string, Uint8Array>,
): fc.Arbitrary<{ seed: string; ops: Op[]; bytes: Buffer }> =>
  fc
    .record({
      seed: fc.constantFrom(...Object.keys(seeds)),
      ops: fc.array(op, { minLength: 1, maxLength: 4 }),
    })
    .map(({ seed, ops }) => ({ seed, ops, bytes: ops.reduce(apply, Buffer.from(seeds[seed]!)) }));

/** A chunk size for streaming the bytes, so boundaries fall anywhere. */
export const chunkSize = fc.oneof(fc.integer({ min: 1, max: 16 }), fc.integer({ min: 17, max: 1 << 16 }));
