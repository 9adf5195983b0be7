/** In-process fan-out of change notifications to prefix listeners, in the order they are emitted. */
import type { Change, Unsubscribe } from './types.js';

type Listener = (change: Change) => void;

export const changeName = (change: Change): string => (change.kind === 'append' ? change.log : change.key);

export class Listeners {
  readonly #entries = new Set<{ prefix: string; listener: Listener }>();

  get size(): number {
    return this.#entries.size;
  }

  add(prefix: string, listener: Listener): Unsubscribe {
    const entry = { prefix, listener };
    this.#entries.add(entry);
    return async () => {
      this.#entries.delete(entry);
    };
  }

  emit(change: Change): void {
    const name = changeName(change);
    for (const { prefix, listener } of this.#entries) {
      if (!name.startsWith(prefix)) continue;
      try {
        listener(change);
      } catch {
        // A failing listener must not undo or block a committed write, nor starve the other listeners.
      }
    }
  }

  clear(): void {
    this.#entries.clear();
  }
}
