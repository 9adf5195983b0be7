// Mutations of JSON request bodies: a value anywhere replaced (huge numbers, wrong types, deep nesting, long strings), a key dropped or added, or the text itself mutated.
import fc from 'fast-check';
import { mutated } from './mutate.js';

export type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

const HOSTILE: Json[] = [
  2 ** 40,
  -1,
  1e308,
  -0.5,
  0,
  '',
  'x'.repeat(70_000),
  null,
  [],
  {},
  true,
  '__proto__',
];
const nested = (depth: number): Json => (depth === 0 ? 1 : [nested(depth - 1)]);

const replacement = fc.oneof(
  fc.constantFrom(...HOSTILE, nested(1_000)),
  fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>,
);

/** Every path into `v` (object keys and array indices), the root included. */
function paths(v: Json, at: (string | number)[] = []): (string | number)[][] {
  const own = [at];
  if (Array.isArray(v)) return own.concat(...v.map((x, i) => paths(x, [...at, i])));
  if (v !== null && typeof v === 'object')
    return own.concat(...Object.entries(v).map(([k, x]) => paths(x, [...at, k])));
  return own;
}

/** `v` with the value at `path` replaced by `by`, or its key removed when `by` is undefined. */
function edited(v: Json, path: (string | number)[], by: Json | undefined): Json | undefined {
  if (path.length === 0) return by;
  const [head, ...rest] = path as [string | number, ...(string | number)[]];
  const copy: Json = Array.isArray(v) ? [...v] : { ...(v as Record<string, Json>) };
  const next = edited((copy as Record<string | number, Json>)[head]!, rest, by);
  if (next === undefined) {
    if (Array.isArray(copy)) copy.splice(head as number, 1);
    else delete (copy as Record<string, Json>)[head];
  } else (copy as Record<string | number, Json>)[head] = next;
  return copy;
}

/** A body derived from `seed`: structurally edited JSON, or its serialised text mutated byte-wise. */
export function mutatedJson(seed: Json): fc.Arbitrary<string> {
  const all = paths(seed);
  const structural = fc
    .record({
      path: fc.constantFrom(...all),
      by: fc.option(replacement, { nil: undefined }),
      extra: fc.option(fc.tuple(fc.string({ maxLength: 8 }), replacement), { nil: undefined }),
    })
    .map(({ path, by, extra }) => {
      const body = edited(seed, path, by) ?? {};
      const withExtra =
        extra && typeof body === 'object' && body !== null && !Array.isArray(body)
          ? { ...body, [extra[0]]: extra[1] }
          : body;
      return JSON.stringify(withExtra);
    });
  const textual = mutated({ body: Buffer.from(JSON.stringify(seed)) }).map((m) => m.bytes.toString('latin1'));
  return fc.oneof(structural, textual);
}
