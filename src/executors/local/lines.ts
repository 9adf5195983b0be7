/** Splits a byte stream into lines with bounded memory: a line past the limit keeps its head and a marker. */

export interface Split {
  lines: string[];
  /** Stream position just after each line (its newline included). */
  ends: number[];
}

export class LineSplitter {
  readonly #max: number;
  #parts: Buffer[] = [];
  #kept = 0;
  #dropped = 0;
  /** Stream position of the next byte pushed. */
  #pos: number;

  constructor(maxLineBytes: number, start = 0) {
    this.#max = maxLineBytes;
    this.#pos = start;
  }

  /** Where the current unfinished line starts: resuming there re-reads it whole. */
  get lineStart(): number {
    return this.#pos - this.#kept - this.#dropped;
  }

  push(chunk: Buffer): Split {
    const out: Split = { lines: [], ends: [] };
    let from = 0;
    for (;;) {
      const nl = chunk.indexOf(10, from);
      const end = nl < 0 ? chunk.length : nl;
      this.#keep(chunk.subarray(from, end));
      if (nl < 0) break;
      this.#pos += nl + 1 - from;
      out.lines.push(this.#take());
      out.ends.push(this.#pos);
      from = nl + 1;
    }
    this.#pos += chunk.length - from;
    return out;
  }

  /** The unfinished last line, if any (at end of stream). */
  flush(): Split {
    if (this.#kept === 0 && this.#dropped === 0) return { lines: [], ends: [] };
    return { lines: [this.#take()], ends: [this.#pos] };
  }

  #keep(bytes: Buffer): void {
    const room = this.#max - this.#kept;
    if (bytes.length <= room) {
      if (bytes.length > 0) this.#parts.push(Buffer.from(bytes));
      this.#kept += bytes.length;
      return;
    }
    if (room > 0) this.#parts.push(Buffer.from(bytes.subarray(0, room)));
    this.#kept += Math.max(0, room);
    this.#dropped += bytes.length - Math.max(0, room);
  }

  #take(): string {
    let line = Buffer.concat(this.#parts, this.#kept).toString('utf8');
    if (line.endsWith('\r')) line = line.slice(0, -1);
    if (this.#dropped > 0) line += ` … [truncated ${this.#dropped} bytes]`;
    this.#parts = [];
    this.#kept = 0;
    this.#dropped = 0;
    return line;
  }
}
