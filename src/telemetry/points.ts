/** Packed metric points (columns of little-endian numbers) ⇄ plain `MetricPoint` tuples. */
import { endianness } from 'node:os';
import type { PackedPoints } from '../api/index.js';
import type { MetricPoint } from '../events/index.js';

const LE = endianness() === 'LE';

/** Bytes as float64s; a view when aligned, else a copy (MessagePack binaries start anywhere). */
export function float64s(bytes: Uint8Array): Float64Array {
  const n = bytes.byteLength >>> 3;
  if (LE) {
    if (bytes.byteOffset % 8 === 0) return new Float64Array(bytes.buffer, bytes.byteOffset, n);
    const copy = new Uint8Array(n * 8);
    copy.set(bytes.subarray(0, n * 8));
    return new Float64Array(copy.buffer);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Float64Array.from({ length: n }, (_, k) => view.getFloat64(k * 8, true));
}

/** Bytes as uint16s (little-endian), same rules as `float64s`. */
export function uint16s(bytes: Uint8Array): Uint16Array {
  const n = bytes.byteLength >>> 1;
  if (LE) {
    if (bytes.byteOffset % 2 === 0) return new Uint16Array(bytes.buffer, bytes.byteOffset, n);
    const copy = new Uint8Array(n * 2);
    copy.set(bytes.subarray(0, n * 2));
    return new Uint16Array(copy.buffer);
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  return Uint16Array.from({ length: n }, (_, k) => view.getUint16(k * 2, true));
}

const bytesOf = (a: Float64Array | Uint16Array): Uint8Array => {
  if (LE) return new Uint8Array(a.buffer, a.byteOffset, a.byteLength);
  const out = new Uint8Array(a.byteLength);
  const view = new DataView(out.buffer);
  for (let k = 0; k < a.length; k++) {
    if (a instanceof Float64Array) view.setFloat64(k * 8, a[k]!, true);
    else view.setUint16(k * 2, a[k]!, true);
  }
  return out;
};

export const pointCount = (m: PackedPoints): number => m.i.byteLength >>> 1;

export function packPoints(points: MetricPoint[]): PackedPoints {
  const names = new Map<string, number>();
  const idx = new Uint16Array(points.length);
  const v = new Float64Array(points.length);
  const s = new Float64Array(points.length);
  const t = new Float64Array(points.length);
  points.forEach(([name, value, step, time], k) => {
    let i = names.get(name);
    if (i === undefined) {
      i = names.size;
      names.set(name, i);
    }
    idx[k] = i;
    v[k] = value;
    s[k] = step;
    t[k] = time;
  });
  return { n: [...names.keys()], i: bytesOf(idx), v: bytesOf(v), s: bytesOf(s), t: bytesOf(t) };
}

export function unpackPoints(m: PackedPoints): MetricPoint[] {
  const idx = uint16s(m.i);
  const v = float64s(m.v);
  const s = float64s(m.s);
  const t = float64s(m.t);
  const out: MetricPoint[] = new Array(idx.length);
  for (let k = 0; k < idx.length; k++) out[k] = [m.n[idx[k]!]!, v[k]!, s[k]!, t[k]!];
  return out;
}
