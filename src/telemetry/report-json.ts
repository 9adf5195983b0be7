/**
 * Validates a report batch sent as JSON over HTTP (the language-neutral twin of the channel's MessagePack batch)
 * and turns it into the same `ChannelBatch`. JSON has no NaN or ±Infinity, so metric values may also be the
 * strings "NaN", "Infinity" and "-Infinity". Columns are checked with plain loops: a batch holds up to 131,072 points.
 */
import { z } from 'zod';
import type { ChannelBatch, ChannelItem } from '../api/index.js';
import { InvalidError } from '../errors/index.js';
import type { MetricPoint } from '../events/index.js';
import { itemsSchema, MAX_BATCH_POINTS } from './frames.js';
import { packPoints } from './points.js';

const NON_FINITE: Record<string, number> = {
  NaN: Number.NaN,
  Infinity: Number.POSITIVE_INFINITY,
  '-Infinity': Number.NEGATIVE_INFINITY,
};

function fail(message: string, field: string): never {
  throw new InvalidError(`${field}: ${message}`, { details: { field } });
}

/** A metric value: any JSON number, or one of the non-finite spellings. */
const metricValue = z.union([
  z.number(),
  z.enum(['NaN', 'Infinity', '-Infinity']).transform((s) => NON_FINITE[s]!),
]);
const items = itemsSchema(metricValue);
const BATCH_FIELDS = new Set(['q', 'points', 'items']);

function column(points: Record<string, unknown>, name: string, count: number | undefined): unknown[] {
  const col = points[name];
  if (!Array.isArray(col)) fail('must be an array', `points.${name}`);
  if (count !== undefined && col.length !== count)
    fail(`has ${col.length} entries; points.index has ${count}`, `points.${name}`);
  return col;
}

function parsePoints(raw: unknown): MetricPoint[] {
  if (typeof raw !== 'object' || raw === null || Array.isArray(raw))
    fail('must be an object {names, index, value, step, time}', 'points');
  const p = raw as Record<string, unknown>;
  const names = column(p, 'names', undefined);
  if (names.length > 65_536) fail('at most 65,536 names', 'points.names');
  names.forEach((n, k) => {
    if (typeof n !== 'string' || n.length === 0 || n.length > 256)
      fail('must be a 1–256 character string', `points.names[${k}]`);
  });
  const index = column(p, 'index', undefined);
  if (index.length > MAX_BATCH_POINTS) fail(`at most ${MAX_BATCH_POINTS} points per batch`, 'points.index');
  const value = column(p, 'value', index.length);
  const step = column(p, 'step', index.length);
  const time = column(p, 'time', index.length);
  const out: MetricPoint[] = new Array(index.length);
  for (let k = 0; k < index.length; k++) {
    const i = index[k];
    if (typeof i !== 'number' || !Number.isInteger(i) || i < 0 || i >= names.length)
      fail(`must index points.names (0…${names.length - 1})`, `points.index[${k}]`);
    let v = value[k];
    if (typeof v === 'string' && v in NON_FINITE) v = NON_FINITE[v];
    if (typeof v !== 'number')
      fail('must be a number, "NaN", "Infinity" or "-Infinity"', `points.value[${k}]`);
    const s = step[k];
    if (typeof s !== 'number') fail('must be a number', `points.step[${k}]`);
    const t = time[k];
    if (typeof t !== 'number') fail('must be a number (ms since the epoch)', `points.time[${k}]`);
    out[k] = [names[i] as string, v, s, t];
  }
  return out;
}

export function parseReport(body: unknown): ChannelBatch {
  if (typeof body !== 'object' || body === null || Array.isArray(body))
    fail('the body must be a JSON object {q, points?, items?}', 'body');
  // Unknown fields are refused, as in every JSON body: a misspelt `item` must not drop the items silently.
  const unknown = Object.keys(body).find((k) => !BATCH_FIELDS.has(k));
  if (unknown !== undefined) fail('unknown field', unknown);
  const { q, points, items: rawItems } = body as Record<string, unknown>;
  if (typeof q !== 'number' || !Number.isSafeInteger(q) || q < 1)
    fail('batch number must be an integer ≥ 1', 'q');
  const batch: ChannelBatch = { k: 'batch', q };
  if (points !== undefined && points !== null) batch.m = packPoints(parsePoints(points));
  if (rawItems !== undefined && rawItems !== null) {
    const r = items.safeParse(rawItems);
    if (!r.success) {
      const issue = r.error.issues[0]!;
      const field = ['items', ...issue.path.map(String)].join('.').replace(/\.(\d+)/g, '[$1]');
      fail(issue.message, field);
    }
    batch.x = r.data as ChannelItem[];
  }
  return batch;
}
