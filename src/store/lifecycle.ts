/** A backend's call lifecycle: refuses calls once closing, and lets close() wait for the calls in flight. */
import { UnavailableError } from '../errors/index.js';
import type { BackendName } from './types.js';

export class Lifecycle {
  readonly #backend: BackendName;
  readonly #inflight = new Set<Promise<unknown>>();
  #closing: Promise<void> | undefined;

  constructor(backend: BackendName) {
    this.#backend = backend;
  }

  checkOpen(): void {
    if (this.#closing) throw new UnavailableError('store is closed', { details: { backend: this.#backend } });
  }

  /** Every public call goes through here: refused once closing, awaited by close, sync throws become rejections. */
  run<T>(fn: () => Promise<T>): Promise<T> {
    return this.track(
      (async () => {
        this.checkOpen();
        return fn();
      })(),
    );
  }

  track<T>(promise: Promise<T>): Promise<T> {
    this.#inflight.add(promise);
    const done = () => this.#inflight.delete(promise);
    promise.then(done, done);
    return promise;
  }

  /** Idempotent: the first call waits for every call in flight, then runs `release` once. */
  close(release: () => Promise<void>): Promise<void> {
    this.#closing ??= (async () => {
      await Promise.allSettled([...this.#inflight]);
      await release();
    })();
    return this.#closing;
  }
}
