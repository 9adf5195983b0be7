/** Display formatting: sizes, durations, times, numbers. */

export function bytes(n: number): string {
  if (n < 1024) return `${n} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let v = n / 1024;
  let i = 0;
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024;
    i++;
  }
  return `${v < 10 ? v.toFixed(1) : Math.round(v)} ${units[i]}`;
}

export function megabytes(mb: number): string {
  return mb >= 1024 ? `${(mb / 1024).toFixed(mb >= 10240 ? 0 : 1)} GiB` : `${Math.round(mb)} MiB`;
}

export function duration(ms: number): string {
  if (ms < 0) ms = 0;
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m}m ${String(s % 60).padStart(2, '0')}s`;
  const h = Math.floor(m / 60);
  return `${h}h ${String(m % 60).padStart(2, '0')}m`;
}

/** Short spans to the hundredth of a second (boot times), longer ones as `duration` does. */
export function seconds(ms: number): string {
  return ms < 60_000 ? `${(ms / 1000).toFixed(2)} s` : duration(ms);
}

export function time(ms: number): string {
  return new Date(ms).toLocaleTimeString(undefined, { hour12: false });
}

/** The time alone for today, else the date too. */
export function when(ms: number): string {
  return new Date(ms).toDateString() === new Date().toDateString() ? time(ms) : dateTime(ms);
}

export function dateTime(ms: number | string): string {
  const d = new Date(ms);
  return `${d.toLocaleDateString(undefined, { month: 'short', day: 'numeric' })} ${d.toLocaleTimeString(undefined, { hour12: false })}`;
}

export function num(v: number, digits = 4): string {
  if (!Number.isFinite(v)) return String(v);
  if (Number.isInteger(v)) return v.toLocaleString('en-US');
  const a = Math.abs(v);
  if (a !== 0 && (a < 1e-3 || a >= 1e6)) return v.toExponential(2);
  return Number(v.toPrecision(digits)).toString();
}

/** A param or metric value in a cell: `—` when the run lacks it, `NaN` for a metric that was not finite. */
export function valueText(v: number | string | boolean | null | undefined): string {
  if (v === undefined) return '—';
  if (v === null) return 'NaN';
  return typeof v === 'number' ? num(v) : String(v);
}

export function integer(v: number): string {
  return v.toLocaleString('en-US');
}

export function cpus(v: number): string {
  return Number.isInteger(v) ? String(v) : v.toFixed(v < 0.01 ? 3 : 2);
}
