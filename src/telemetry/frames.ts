/** Validates channel frames at the edge: anything malformed becomes an InvalidError naming the field. */
import { z } from 'zod';
import type { ChannelBatch, ChannelHello, ChannelItem, PackedPoints } from '../api/index.js';
import { InvalidError } from '../errors/index.js';

/** Largest batch the manager accepts, in points; the SDK sends at most 16,384 by default. */
export const MAX_BATCH_POINTS = 131_072;
export const MAX_BATCH_ITEMS = 10_000;

const finite = z.number().finite();
const name = z.string().min(1).max(256);

const hello = z.object({
  k: z.literal('hello'),
  v: z.number().int(),
  stream: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/),
  sdk: z.string().max(64),
  pid: z.number().int().nonnegative().optional(),
  host: z.string().max(256).optional(),
  rank: z.number().int().nonnegative().optional(),
  worldSize: z.number().int().positive().optional(),
});

/**
 * A batch's `x` items, with the schema of an epoch's metric values given: the channel's MessagePack carries
 * any number (NaN and ±Infinity too), the HTTP + JSON protocol spells those as strings.
 */
export function itemsSchema<V extends z.ZodType<number, unknown>>(metricValue: V) {
  const item = z.discriminatedUnion('k', [
    z.object({
      k: z.literal('epoch'),
      t: finite,
      epoch: finite,
      total: finite.optional(),
      metrics: z.record(name, metricValue),
    }),
    z.object({ k: z.literal('log'), t: finite, lines: z.array(z.string().max(65_536)).max(10_000) }),
    z.object({ k: z.literal('hardware'), t: finite, report: z.record(z.string(), z.unknown()) }),
  ]);
  return z.array(item).max(MAX_BATCH_ITEMS);
}

// Any number, NaN and ±Infinity too: a diverging loss is what rules (stopIf nonFinite) watch for.
const items = itemsSchema(z.custom<number>((v) => typeof v === 'number', 'must be a number'));

const bytes = (x: unknown): x is Uint8Array => x instanceof Uint8Array;

function fail(message: string, field: string): never {
  throw new InvalidError(message, { details: { field } });
}

function zodFail(err: z.ZodError, prefix: string): never {
  const issue = err.issues[0]!;
  const field = [prefix, ...issue.path.map(String)].join('.');
  fail(`${field}: ${issue.message}`, field);
}

export function parseHello(msg: unknown): ChannelHello {
  const r = hello.safeParse(msg);
  if (!r.success) zodFail(r.error, 'hello');
  return r.data;
}

/** Checks column lengths and that every name index points at a name; the numbers themselves are any float64. */
function parsePoints(m: unknown): PackedPoints {
  if (typeof m !== 'object' || m === null) fail('m: packed points must be a map', 'm');
  const { n, i, v, s, t } = m as Record<string, unknown>;
  if (
    !Array.isArray(n) ||
    n.length > 65_536 ||
    !n.every((x) => typeof x === 'string' && x.length > 0 && x.length <= 256)
  )
    fail('m.n: names must be 1–256 character strings', 'm.n');
  if (!bytes(i) || !bytes(v) || !bytes(s) || !bytes(t)) fail('m.i/v/s/t must be binaries', 'm');
  const count = i.byteLength / 2;
  if (!Number.isInteger(count) || count > MAX_BATCH_POINTS)
    fail(`m.i: at most ${MAX_BATCH_POINTS} uint16 name indexes`, 'm.i');
  for (const [field, col] of [
    ['v', v],
    ['s', s],
    ['t', t],
  ] as const) {
    if (col.byteLength !== count * 8) fail(`m.${field}: expected ${count} float64s`, `m.${field}`);
  }
  for (let k = 0; k < count; k++) {
    if (i[2 * k]! + (i[2 * k + 1]! << 8) >= n.length) fail(`m.i[${k}]: no such name`, 'm.i');
  }
  return { n: n as string[], i, v, s, t };
}

export function parseBatch(msg: unknown): ChannelBatch {
  if (typeof msg !== 'object' || msg === null || (msg as { k?: unknown }).k !== 'batch')
    fail('expected a batch frame ({k: "batch"})', 'k');
  const { q, m, x } = msg as Record<string, unknown>;
  if (typeof q !== 'number' || !Number.isSafeInteger(q) || q < 1) fail('q: batch number must be ≥ 1', 'q');
  const batch: ChannelBatch = { k: 'batch', q };
  if (m !== undefined && m !== null) batch.m = parsePoints(m);
  if (x !== undefined && x !== null) {
    const r = items.safeParse(x);
    if (!r.success) zodFail(r.error, 'x');
    batch.x = r.data as ChannelItem[];
  }
  return batch;
}
