/** How the CLI prints: aligned tables, byte counts, durations, and a one-line progress bar for transfers. */
import type { SessionRecord } from '../api/index.js';
import { formatDuration } from '../util/duration.js';

/** Left-aligned columns, two spaces apart. */
export function table(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return `${rows.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  ')).join('\n')}\n`;
}

/** How long a session ran (so far, when it still runs); empty before it started. */
export function runtimeOf(s: SessionRecord, now = Date.now()): string {
  if (s.startedAt === undefined) return '';
  return formatDuration((s.endedAt ?? now) - s.startedAt);
}

/** The exit as a shell shows it: the signal, else the code; empty while running. */
export function outcomeOf(s: SessionRecord): string {
  if (s.signal) return s.signal;
  if (s.exitCode !== null) return String(s.exitCode);
  return '';
}

/** A metric value in 4 significant digits; empty for none (null: not finite on the wire). */
export const formatNumber = (v: number | null | undefined): string =>
  v === null || v === undefined ? '' : String(Number(v.toPrecision(4)));

/** JSON for `--json`, indented. */
export const printJson = (value: unknown): void => {
  process.stdout.write(`${JSON.stringify(value, null, 2)}\n`);
};

export function formatBytes(n: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return `${u === 0 ? v : v.toFixed(v < 10 ? 2 : 1)} ${units[u]}`;
}

/** Redraws at most every 100 ms on a terminal; elsewhere stays silent until `done`. */
export function progressBar(label: string, out: NodeJS.WriteStream = process.stderr) {
  const started = Date.now();
  let last = 0;
  const line = (sent: number, total: number): string => {
    const shown = Math.min(sent, total);
    const secs = Math.max((Date.now() - started) / 1000, 1e-3);
    const frac = total > 0 ? shown / total : 1;
    const width = 24;
    const bar = '#'.repeat(Math.round(frac * width)).padEnd(width, '.');
    return `${label} [${bar}] ${formatBytes(shown)} / ${formatBytes(total)} ${(frac * 100).toFixed(0)}%  ${formatBytes(shown / secs)}/s`;
  };
  return {
    update(sent: number, total: number): void {
      if (!out.isTTY || Date.now() - last < 100) return;
      last = Date.now();
      out.write(`\r${line(sent, total)}`);
    },
    done(sent: number, total: number): void {
      if (out.isTTY) out.write(`\r${line(sent, total)}\n`);
    },
  };
}
