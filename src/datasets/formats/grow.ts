// Typed arrays that grow geometrically, so importers never hold a whole file as JS numbers.

type NumberArray = Float64Array | Float32Array | Int32Array | Uint32Array | Uint8Array;
type NumberCtor = new (length: number) => NumberArray;

/** An append-only numeric buffer; `take()` returns a right-sized copy. */
export class Growable<A extends NumberArray> {
  #ctor: NumberCtor;
  #buf: A;
  length = 0;

  constructor(ctor: new (length: number) => A, initial = 1024) {
    this.#ctor = ctor;
    this.#buf = new ctor(Math.max(16, initial));
  }

  push(v: number): void {
    if (this.length === this.#buf.length) this.#grow(this.length + 1);
    this.#buf[this.length++] = v;
  }

  /** Appends a run of bytes (for `Uint8Array` buffers). */
  append(src: ArrayLike<number> & { length: number }, start = 0, end = src.length): void {
    const n = end - start;
    if (this.length + n > this.#buf.length) this.#grow(this.length + n);
    const buf = this.#buf as NumberArray;
    if (src instanceof Uint8Array && buf instanceof Uint8Array) {
      buf.set(src.subarray(start, end), this.length);
    } else {
      for (let i = 0; i < n; i++) buf[this.length + i] = src[start + i] as number;
    }
    this.length += n;
  }

  get(i: number): number {
    return this.#buf[i] as number;
  }

  set(i: number, v: number): void {
    this.#buf[i] = v;
  }

  /** The live storage (valid up to `length`); invalidated by the next push. */
  view(): A {
    return this.#buf.subarray(0, this.length) as A;
  }

  /** A right-sized array holding the values; the buffer is released. */
  take(): A {
    const out = this.#buf.length === this.length ? this.#buf : (this.#buf.slice(0, this.length) as A);
    this.#buf = new this.#ctor(16) as A;
    this.length = 0;
    return out;
  }

  #grow(min: number): void {
    const next = new this.#ctor(Math.max(min, this.#buf.length * 2)) as A;
    next.set(this.#buf as never);
    this.#buf = next;
  }
}
