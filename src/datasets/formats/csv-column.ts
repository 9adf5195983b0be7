// Accumulates one CSV column's fields, typing it as int32, float64 or utf8 once all rows are in.

import type { Column } from './columns.js';
import { Growable } from './grow.js';
import { parseInt32, parseNumber } from './numbers.js';

const isBlank = (c: number | undefined): boolean => c === 32 || c === 9;

/** Whether `buf[s..e)` spells a missing value: empty, `NA`, `N/A`, `NaN`, `nan`, `null`. */
function isMissing(buf: Uint8Array, s: number, e: number): boolean {
  const n = e - s;
  if (n === 0) return true;
  if (n > 4) return false;
  const w = String.fromCharCode(...buf.subarray(s, e));
  return w === 'NA' || w === 'N/A' || w === 'NaN' || w === 'nan' || w === 'null';
}

/**
 * Keeps both the raw text (for a column that turns out textual) and, while every field parses,
 * the numbers. The text is dropped at the end for numeric columns.
 */
export class CsvColumn {
  readonly name: string;
  #bytes = new Growable(Uint8Array, 1 << 12);
  #offsets = new Growable(Uint32Array);
  #nums: Growable<Float64Array> | null = new Growable(Float64Array);
  #allInt = true;
  #present = 0;

  constructor(name: string) {
    this.name = name;
    this.#offsets.push(0);
  }

  add(buf: Uint8Array, start: number, end: number): void {
    this.#bytes.append(buf, start, end);
    this.#offsets.push(this.#bytes.length);
    const nums = this.#nums;
    if (nums === null) return;
    let s = start;
    let e = end;
    while (s < e && isBlank(buf[s])) s++;
    while (e > s && isBlank(buf[e - 1])) e--;
    if (isMissing(buf, s, e)) {
      nums.push(Number.NaN);
      this.#allInt = false;
      return;
    }
    if (this.#allInt) {
      const i = parseInt32(buf, s, e);
      if (!Number.isNaN(i)) {
        nums.push(i);
        this.#present++;
        return;
      }
    }
    const v = parseNumber(buf, s, e);
    if (Number.isNaN(v)) {
      this.#nums = null;
      return;
    }
    this.#allInt = false;
    nums.push(v);
    this.#present++;
  }

  get numeric(): boolean {
    return this.#nums !== null && this.#present > 0;
  }

  /** The finished column: int32 if every field is an integer literal in range, float64 (NaN = missing) if numeric, else utf8. */
  finish(rows: number): Column {
    if (this.numeric) {
      const nums = (this.#nums as Growable<Float64Array>).take();
      if (this.#allInt)
        return { name: this.name, dtype: 'int32', shape: [rows], data: Int32Array.from(nums) };
      return { name: this.name, dtype: 'float64', shape: [rows], data: nums };
    }
    return {
      name: this.name,
      dtype: 'utf8',
      shape: [rows],
      data: this.#bytes.take(),
      offsets: this.#offsets.take(),
    };
  }
}
