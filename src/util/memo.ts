/**
 * A map that builds a missing value once: e.g. prom-client children, so a label set is built and validated once,
 * not per request (prom-client still hashes the labels on each `inc`/`observe`).
 */
export class Memo<T> {
  readonly #values = new Map<string, T>();

  get(key: string, make: () => T): T {
    let value = this.#values.get(key);
    if (value === undefined) {
      value = make();
      this.#values.set(key, value);
    }
    return value;
  }
}
