/** Keeps a view of the swarm's nodes in step with the swarm (joins, leaves, relabelling), polling the engine. */
import type { SwarmNode } from './nodes.js';

export interface SwarmSyncOptions {
  /** The swarm's current nodes. */
  list: () => Promise<SwarmNode[]>;
  /** Takes the current nodes in (the scheduler's swarm nodes); true when that changed anything. */
  apply: (nodes: SwarmNode[]) => boolean;
  /** Called when the nodes changed, so waiting sessions get another placement pass. */
  changed: () => void;
  onError: (err: unknown) => void;
  /** Default 2 s. */
  intervalMs?: number;
}

export class SwarmSync {
  readonly #o: SwarmSyncOptions;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #closed = false;

  constructor(options: SwarmSyncOptions) {
    this.#o = options;
  }

  /** One sync now; true when the nodes changed. */
  async sync(): Promise<boolean> {
    const changed = this.#o.apply(await this.#o.list());
    if (changed) this.#o.changed();
    return changed;
  }

  start(): void {
    if (this.#closed || this.#timer) return;
    this.#timer = setInterval(() => {
      if (this.#running) return;
      this.#running = this.sync()
        .then(
          () => undefined,
          (err) => this.#o.onError(err),
        )
        .finally(() => {
          this.#running = undefined;
        });
    }, this.#o.intervalMs ?? 2000);
    this.#timer.unref();
  }

  async close(): Promise<void> {
    this.#closed = true;
    clearInterval(this.#timer);
    await this.#running;
  }
}
