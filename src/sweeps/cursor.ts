/**
 * The runner's resume cursor in the store: the last event before which everything is handled. Writes are
 * batched (one per SAVE_DELAY_MS at most) and chained, so an older cursor never lands after a newer one.
 */
import type { Logger } from 'pino';
import type { EventArchive } from '../events/index.js';
import type { Store } from '../store/index.js';

const SAVE_DELAY_MS = 50;

export class StoredCursor {
  readonly #store: Store;
  readonly #key: string;
  readonly #logger: Pick<Logger, 'warn'>;
  #value = 0;
  #saved = 0;
  #saving: Promise<void> = Promise.resolve();
  #timer: NodeJS.Timeout | undefined;

  constructor(store: Store, key: string, logger: Pick<Logger, 'warn'>) {
    this.#store = store;
    this.#key = key;
    this.#logger = logger;
  }

  /** The stored cursor, or the archive's end the first time (stored at once). */
  async load(events: EventArchive): Promise<number> {
    const doc = await this.#store.get<{ cursor: number }>(this.#key);
    const from = doc?.value.cursor ?? (await events.lastCursor());
    if (!doc) await this.#store.put(this.#key, { cursor: from });
    this.#value = this.#saved = from;
    return from;
  }

  get value(): number {
    return this.#value;
  }

  /** Everything up to `cursor` is handled; stored soon. */
  advance(cursor: number): void {
    if (cursor > this.#value) this.#value = cursor;
    if (this.#timer) return;
    this.#timer = setTimeout(() => {
      this.#timer = undefined;
      this.flush().catch((err: unknown) =>
        this.#logger.warn({ err, key: this.#key }, 'storing a cursor failed'),
      );
    }, SAVE_DELAY_MS);
    this.#timer.unref();
  }

  /** Stores the cursor now. */
  flush(): Promise<void> {
    clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#saving = this.#saving
      .catch(() => {})
      .then(async () => {
        const cursor = this.#value;
        if (cursor <= this.#saved) return;
        await this.#store.put(this.#key, { cursor });
        this.#saved = cursor;
      });
    return this.#saving;
  }
}
