// Number parsing straight from bytes (no per-token strings on the fast path) and exact float printing.

const POW10 = [
  1, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10, 1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
  1e20, 1e21, 1e22,
];

const latin1 = (buf: Uint8Array, start: number, end: number): string => {
  let s = '';
  for (let i = start; i < end; i++) s += String.fromCharCode(buf[i] as number);
  return s;
};

/** The bytes as text, for error messages. */
export const textOf = (buf: Uint8Array, start: number, end: number): string =>
  new TextDecoder().decode(buf.subarray(start, Math.min(end, start + 80)));

const isInfinity = (buf: Uint8Array, i: number, end: number): boolean => {
  const n = end - i;
  if (n !== 3 && n !== 8) return false;
  const word = latin1(buf, i, end).toLowerCase();
  return word === 'inf' || word === 'infinity';
};

/**
 * Parses a decimal number (`-1`, `+.5`, `3.`, `1e-7`, `inf`) occupying exactly `buf[start..end)`.
 * Returns NaN when the bytes are not one. Short inputs are computed exactly in one IEEE operation
 * (mantissa < 2^53, |exponent| <= 22, hence correctly rounded); longer ones go through `Number`.
 */
export function parseNumber(buf: Uint8Array, start: number, end: number): number {
  let i = start;
  let neg = false;
  const first = buf[i];
  if (first === 45 || first === 43) {
    neg = first === 45;
    i++;
  }
  let mant = 0;
  let sig = 0; // significant digits accumulated in mant
  let digits = 0;
  let exp = 0;
  let c = buf[i] as number;
  while (i < end && c >= 48 && c <= 57) {
    if (sig > 0 || c !== 48) {
      mant = mant * 10 + (c - 48);
      sig++;
    }
    digits++;
    c = buf[++i] as number;
  }
  if (i < end && c === 46) {
    c = buf[++i] as number;
    while (i < end && c >= 48 && c <= 57) {
      if (sig > 0 || c !== 48) {
        mant = mant * 10 + (c - 48);
        sig++;
      }
      exp--;
      digits++;
      c = buf[++i] as number;
    }
  }
  if (digits === 0) {
    if (i < end && isInfinity(buf, i, end)) return neg ? -Infinity : Infinity;
    return Number.NaN;
  }
  if (i < end && (c === 101 || c === 69)) {
    i++;
    let eneg = false;
    c = buf[i] as number;
    if (c === 45 || c === 43) {
      eneg = c === 45;
      c = buf[++i] as number;
    }
    let e = 0;
    let edigits = 0;
    while (i < end && c >= 48 && c <= 57) {
      if (e < 100000) e = e * 10 + (c - 48);
      edigits++;
      c = buf[++i] as number;
    }
    if (edigits === 0) return Number.NaN;
    exp += eneg ? -e : e;
  }
  if (i !== end) return Number.NaN;
  let v: number;
  if (sig <= 15 && exp >= -22 && exp <= 22) {
    v = exp < 0 ? mant / (POW10[-exp] as number) : mant * (POW10[exp] as number);
  } else {
    v = Number(latin1(buf, neg || first === 43 ? start + 1 : start, end));
  }
  return neg ? -v : v;
}

/** Parses an unsigned decimal integer in `buf[start..end)`; -1 when not one or above `max`. */
export function parseUint(buf: Uint8Array, start: number, end: number, max = 0x7fffffff): number {
  if (start >= end) return -1;
  let v = 0;
  for (let i = start; i < end; i++) {
    const c = buf[i] as number;
    if (c < 48 || c > 57) return -1;
    v = v * 10 + (c - 48);
    if (v > max) return -1;
  }
  return v;
}

/** Like parseUint but allows a leading sign; NaN when not an integer within int32. */
export function parseInt32(buf: Uint8Array, start: number, end: number): number {
  const c = buf[start];
  if (c === 45 || c === 43) {
    const v = parseUint(buf, start + 1, end, 0x80000000);
    if (v < 0 || (c === 43 && v > 0x7fffffff)) return Number.NaN;
    return c === 45 ? -v : v;
  }
  const v = parseUint(buf, start, end);
  return v < 0 ? Number.NaN : v;
}

const f32 = Math.fround;

/** Shortest decimal text that reads back (via double, then float32) as exactly this float32 value. */
export function formatFloat32(v: number): string {
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';
  // Below 2^24 every integer is a float32, so its own digits are the shortest form.
  if (Number.isInteger(v) && Math.abs(v) <= 16777216) return String(v);
  // Round-tripping is monotone in the digit count (9 always suffices). Columns tend to share a
  // precision, so start from the last answer: usually two checks settle it.
  let p = lastDigits;
  let d = Number(v.toPrecision(p));
  if (f32(d) === v) {
    while (p > 1) {
      const shorter = Number(v.toPrecision(p - 1));
      if (f32(shorter) !== v) break;
      d = shorter;
      p--;
    }
  } else {
    while (p < 9) {
      d = Number(v.toPrecision(++p));
      if (f32(d) === v) break;
    }
  }
  lastDigits = p;
  // d is the double nearest a decimal of p digits, so its shortest form is that decimal.
  return String(d);
}

let lastDigits = 6;

/** Exact decimal text of a double (JS shortest round-trip form). */
export function formatFloat64(v: number): string {
  if (v === 0) return Object.is(v, -0) ? '-0' : '0';
  if (!Number.isFinite(v)) return Number.isNaN(v) ? 'nan' : v > 0 ? 'inf' : '-inf';
  return String(v);
}
