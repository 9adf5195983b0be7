/**
 * Human durations to milliseconds: text needs its units (`90s`, `2h`, `1h30m`, `500ms`, `1d`), so `2 hours`
 * or a bare `2` on a command line is refused rather than read as two seconds; a JSON number counts seconds.
 */

const PART = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/g;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** Returns undefined when `text` is not a duration; callers turn that into an error naming their field. */
export function parseDurationMs(text: string | number): number | undefined {
  if (typeof text === 'number') return Number.isFinite(text) && text >= 0 ? text * 1000 : undefined;
  const s = text.trim().toLowerCase();
  if (s === '' || s.replace(PART, '') !== '') return undefined;
  let ms = 0;
  for (const m of s.matchAll(PART)) ms += Number(m[1]) * UNIT_MS[m[2]!]!;
  return Math.round(ms);
}

/** `5400000` → `1h30m`; sub-second values as `ms`. */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.round(ms)}ms`;
  let rest = Math.round(ms / 1000);
  const out: string[] = [];
  for (const [unit, size] of [
    ['d', 86_400],
    ['h', 3600],
    ['m', 60],
  ] as const) {
    if (rest >= size) {
      out.push(`${Math.floor(rest / size)}${unit}`);
      rest %= size;
    }
  }
  if (rest > 0 || out.length === 0) out.push(`${rest}s`);
  return out.join('');
}
