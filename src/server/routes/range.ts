/** The one `Range: bytes=…` form downloads honour: a single range (first-last, first-, or -suffix). */

export type ByteRange = { start: number; end: number } | 'unsatisfiable' | undefined;

/**
 * The byte range [start, end) a Range header asks of `size` bytes: undefined for none or a form not handled (the
 * whole body is then sent, as RFC 9110 allows), 'unsatisfiable' for a range that starts past the end.
 */
export function parseRange(header: string | undefined, size: number): ByteRange {
  const m = header === undefined ? null : /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!m || (m[1] === '' && m[2] === '')) return undefined;
  if (m[1] === '') {
    const suffix = Number(m[2]);
    if (suffix === 0) return 'unsatisfiable';
    return { start: Math.max(0, size - suffix), end: size };
  }
  const start = Number(m[1]);
  if (start >= size) return 'unsatisfiable';
  const last = m[2] === '' ? size - 1 : Number(m[2]);
  if (last < start) return undefined;
  return { start, end: Math.min(last + 1, size) };
}
