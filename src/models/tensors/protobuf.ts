/** Just enough of the protobuf wire format to read ONNX initializers: a field reader and a streaming shape check. */

export const WIRE = { varint: 0, fixed64: 1, bytes: 2, fixed32: 5 } as const;

export interface Field {
  field: number;
  wire: number;
  /** Varint value (wire 0), or the payload's position for the others. */
  value: bigint;
  /** Payload bounds inside the buffer being read (for wire 1, 2 and 5). */
  start: number;
  end: number;
}

export class WireError extends Error {}

/** Reads a varint at `pos`; returns the value and the position after it. */
export function readVarint(bytes: Uint8Array, pos: number): [bigint, number] {
  let result = 0n;
  let shift = 0n;
  for (let i = 0; i < 10; i++) {
    if (pos >= bytes.length) throw new WireError('truncated varint');
    const b = bytes[pos++]!;
    result |= BigInt(b & 0x7f) << shift;
    if (b < 0x80) return [result, pos];
    shift += 7n;
  }
  throw new WireError('varint longer than 10 bytes');
}

/** The fields of one message, in order. */
export function* fields(bytes: Uint8Array): Generator<Field> {
  let pos = 0;
  while (pos < bytes.length) {
    const [tag, afterTag] = readVarint(bytes, pos);
    const field = Number(tag >> 3n);
    const wire = Number(tag & 7n);
    if (field === 0) throw new WireError(`field number 0 at byte ${pos}`);
    pos = afterTag;
    switch (wire) {
      case WIRE.varint: {
        const [value, next] = readVarint(bytes, pos);
        yield { field, wire, value, start: pos, end: next };
        pos = next;
        break;
      }
      case WIRE.fixed64:
      case WIRE.fixed32: {
        const end = pos + (wire === WIRE.fixed64 ? 8 : 4);
        if (end > bytes.length) throw new WireError(`truncated fixed field ${field}`);
        yield { field, wire, value: 0n, start: pos, end };
        pos = end;
        break;
      }
      case WIRE.bytes: {
        const [length, start] = readVarint(bytes, pos);
        const end = start + Number(length);
        if (end > bytes.length) throw new WireError(`field ${field} runs past the end of its message`);
        yield { field, wire, value: length, start, end };
        pos = end;
        break;
      }
      default:
        throw new WireError(`unsupported wire type ${wire} (field ${field}) at byte ${pos}`);
    }
  }
}

/** Every varint of a packed field's payload. */
export function packedVarints(bytes: Uint8Array, start: number, end: number): bigint[] {
  const out: bigint[] = [];
  const view = bytes.subarray(start, end);
  let pos = 0;
  while (pos < view.length) {
    const [v, next] = readVarint(view, pos);
    out.push(v);
    pos = next;
  }
  return out;
}

type ScanState = 'tag' | 'varint' | 'length' | 'skip';

/**
 * Checks, as bytes stream past, that they form a well-shaped protobuf message at the top level (valid tags,
 * lengths that fit) and records which fields it saw — without keeping the bytes.
 */
export class WireScanner {
  readonly seen = new Set<number>();
  #state: ScanState = 'tag';
  #acc = 0;
  #mul = 1;
  #varintBytes = 0;
  #skip = 0;
  #pos = 0;

  push(chunk: Uint8Array): void {
    let i = 0;
    while (i < chunk.length) {
      if (this.#state === 'skip') {
        const n = Math.min(this.#skip, chunk.length - i);
        this.#skip -= n;
        i += n;
        if (this.#skip === 0) this.#state = 'tag';
        continue;
      }
      const b = chunk[i++]!;
      if (++this.#varintBytes > 10)
        throw new WireError(`varint longer than 10 bytes at byte ${this.#pos + i}`);
      this.#acc += (b & 0x7f) * this.#mul;
      this.#mul *= 128;
      if (b >= 0x80) continue;
      const value = this.#acc;
      this.#acc = 0;
      this.#mul = 1;
      this.#varintBytes = 0;
      this.#onVarint(value);
    }
    this.#pos += chunk.length;
  }

  /** Throws unless the stream ended on a field boundary. */
  end(): void {
    if (this.#state !== 'tag' || this.#varintBytes > 0) throw new WireError('truncated: ends inside a field');
  }

  #onVarint(value: number): void {
    if (this.#state === 'varint') {
      this.#state = 'tag';
      return;
    }
    if (this.#state === 'length') {
      this.#skip = value;
      this.#state = value > 0 ? 'skip' : 'tag';
      return;
    }
    const field = Math.floor(value / 8);
    const wire = value % 8;
    if (field === 0) throw new WireError('field number 0');
    this.seen.add(field);
    if (wire === WIRE.varint) this.#state = 'varint';
    else if (wire === WIRE.bytes) this.#state = 'length';
    else if (wire === WIRE.fixed64 || wire === WIRE.fixed32) {
      this.#skip = wire === WIRE.fixed64 ? 8 : 4;
      this.#state = 'skip';
    } else throw new WireError(`unsupported wire type ${wire} (field ${field})`);
  }
}
