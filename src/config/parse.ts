/** Parsing what users type for config values: sizes, durations, counts; errors name the flag. */
import { ConfigError } from '../errors/index.js';
import { parseDurationMs } from '../util/duration.js';

const SIZE = /^(\d+(?:\.\d+)?)\s*([kmgt]i?b?|b)?$/i;
const UNITS: Record<string, number> = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** Parses `4GiB`, `512m`, `1048576` into bytes. */
export function parseSize(value: number | string, field: string): number {
  if (typeof value === 'number') return value;
  const m = SIZE.exec(value.trim());
  if (!m)
    throw new ConfigError(`${field}: "${value}" is not a size (e.g. 4GiB, 512MiB)`, { details: { field } });
  const unit = (m[2] ?? 'b')[0]!.toLowerCase();
  return Math.floor(Number(m[1]) * UNITS[unit]!);
}

/** `5h`, `90m`, `1h30m`, `500ms`; a JSON number means seconds, text needs its units. */
export function parseDuration(value: number | string, field: string): number {
  const ms = parseDurationMs(value);
  if (ms === undefined || ms <= 0) {
    throw new ConfigError(
      `${field}: "${value}" is not a duration: give its units (e.g. 5h, 90m, 30s, 1h30m)`,
      {
        details: { field },
      },
    );
  }
  return ms;
}

const COUNT = /^(\d+(?:\.\d+)?)([km])?$/i;

/** `100000`, `500k`, `2M` (decimal thousands and millions) → a positive integer. */
export function parseCount(value: number | string, field: string): number {
  const m = typeof value === 'number' ? [String(value), String(value)] : COUNT.exec(value.trim());
  const scale = m?.[2] ? (m[2].toLowerCase() === 'k' ? 1e3 : 1e6) : 1;
  const n = m ? Number(m[1]) * scale : Number.NaN;
  if (!Number.isInteger(n) || n < 1) {
    throw new ConfigError(`${field}: "${value}" is not a positive count (e.g. 100000, 500k, 2M)`, {
      details: { field },
    });
  }
  return n;
}
