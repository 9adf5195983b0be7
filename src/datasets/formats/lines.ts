// Splits a byte stream into records (lines, or CSV records whose quoted fields may hold newlines).

import { InvalidError } from '../../errors/index.js';
import { Growable } from './grow.js';

/**
 * Called once per record with its bytes `buf[start..end)` (line terminator and a trailing `\r` removed)
 * and the 1-based line number it starts on. `buf` is only valid during the call.
 */
export type RecordHandler = (buf: Uint8Array, start: number, end: number, line: number) => void;

export interface SplitOptions {
  /** Treat `"` as a quote: newlines inside quotes do not end the record (RFC 4180). */
  quotes?: boolean;
}

/**
 * Feeds every record of `body` to `onRecord`. Records that lie inside one chunk are passed in place;
 * only a record that straddles chunks is copied (into a buffer that grows geometrically), so the
 * work is linear in the input. Returns the number of lines read.
 */
export async function forEachRecord(
  body: AsyncIterable<Uint8Array>,
  onRecord: RecordHandler,
  options: SplitOptions = {},
): Promise<number> {
  const quotes = options.quotes === true;
  const pending = new Growable(Uint8Array, 1 << 12);
  let inQuote = false;
  let line = 1; // line on which the next record starts
  let extra = 0; // newlines inside quotes in the record being scanned

  // Index of the record-ending '\n' at or after `from`, or -1; tracks quote state across calls.
  const findEnd = (buf: Uint8Array, from: number): number => {
    if (!quotes) return buf.indexOf(10, from);
    for (let i = from; i < buf.length; i++) {
      const c = buf[i];
      if (c === 34) inQuote = !inQuote;
      else if (c === 10) {
        if (!inQuote) return i;
        extra++;
      }
    }
    return -1;
  };

  const emit = (buf: Uint8Array, start: number, end: number): void => {
    const stop = end > start && buf[end - 1] === 13 ? end - 1 : end;
    onRecord(buf, start, stop, line);
    line += 1 + extra;
    extra = 0;
  };

  for await (const chunk of body) {
    let pos = 0;
    if (pending.length > 0) {
      const nl = findEnd(chunk, 0);
      if (nl < 0) {
        pending.append(chunk);
        continue;
      }
      pending.append(chunk, 0, nl);
      emit(pending.view(), 0, pending.length);
      pending.length = 0;
      pos = nl + 1;
    }
    for (;;) {
      const nl = findEnd(chunk, pos);
      if (nl < 0) break;
      emit(chunk, pos, nl);
      pos = nl + 1;
    }
    if (pos < chunk.length) pending.append(chunk, pos, chunk.length);
  }
  if (inQuote) {
    throw new InvalidError(`line ${line}: quoted field is not closed before the end of the file`, {
      details: { line },
    });
  }
  if (pending.length > 0) emit(pending.view(), 0, pending.length);
  return line - 1;
}
