/**
 * Dynamic batching for one loaded generation: requests with the same per-row shapes queue together and leave as
 * one runtime call when the queue holds `maxBatchSize` rows, or its first request has waited `maxDelayMs`, or no
 * call of this generation is running (then after the requests already received are parsed: a lone request
 * does not wait for the timer). At most `maxInflight` calls run at once;
 * while they are busy the queues keep filling, so batches grow with the load.
 * Outputs are split back by row ranges in arrival order, so one client's results never mix or reorder.
 */
import { concat, sliceRows } from './tensor.js';
import type { ModelRuntime, ServingConfig, Tensor } from './types.js';

type Outputs = Record<string, Tensor>;

interface Pending {
  inputs: Record<string, Tensor>;
  rows: number;
  resolve: (out: Outputs) => void;
  reject: (err: unknown) => void;
}

interface Queue {
  key: string;
  items: Pending[];
  rows: number;
  due: boolean;
  timer: NodeJS.Timeout | undefined;
}

export interface BatchHooks {
  /** Rows of each runtime call. */
  onBatch?: (rows: number, requests: number) => void;
  /** +1 when a request queues, −1 when it leaves the queue for a runtime call. */
  onQueue?: (delta: number) => void;
}

export class Batcher {
  readonly #runtime: ModelRuntime;
  readonly #config: () => ServingConfig;
  readonly #hooks: BatchHooks;
  /** False when the model's first dimension is not a free batch dimension: every request runs alone. */
  readonly #batchable: boolean;
  readonly #queues = new Map<string, Queue>();
  #inflight = 0;
  #pending = 0;
  #idle: Array<() => void> = [];
  #soon: NodeJS.Immediate | undefined;

  constructor(runtime: ModelRuntime, config: () => ServingConfig, hooks: BatchHooks = {}) {
    this.#runtime = runtime;
    this.#config = config;
    this.#hooks = hooks;
    this.#batchable = runtime.signature.inputs.every((s) => s.shape.length > 0 && s.shape[0] === null);
  }

  /** Requests accepted and not yet answered. */
  get pending(): number {
    return this.#pending;
  }

  submit(inputs: Record<string, Tensor>): Promise<Outputs> {
    const first = Object.values(inputs)[0];
    const rows = this.#batchable && first ? (first.shape[0] ?? 1) : 1;
    const config = this.#config();
    const alone = !this.#batchable || !config.batching;
    const key = alone ? `alone:${Math.random()}` : this.#keyOf(inputs);
    this.#pending++;
    return new Promise<Outputs>((resolve, reject) => {
      let q = this.#queues.get(key);
      if (!q) {
        q = { key, items: [], rows: 0, due: alone, timer: undefined };
        this.#queues.set(key, q);
      }
      q.items.push({ inputs, rows, resolve, reject });
      q.rows += rows;
      this.#hooks.onQueue?.(1);
      if (q.rows >= config.maxBatchSize || config.maxDelayMs <= 0) q.due = true;
      else if (!q.due && q.timer === undefined) {
        const queue = q;
        queue.timer = setTimeout(() => {
          queue.timer = undefined;
          queue.due = true;
          this.#kick();
        }, config.maxDelayMs);
      }
      this.#kick();
    });
  }

  /** Resolves once every accepted request has been answered. */
  idle(): Promise<void> {
    if (this.#pending === 0) return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Per-row shape and dtype of every input: requests differing there never share a batch. */
  #keyOf(inputs: Record<string, Tensor>): string {
    let key = '';
    for (const spec of this.#runtime.signature.inputs) {
      const t = inputs[spec.name];
      key += `${spec.name}:${t?.dtype}:${t?.shape.slice(1).join('x')};`;
    }
    return key;
  }

  #kick(): void {
    const max = this.#config().maxInflight;
    while (this.#inflight < max) {
      let queue: Queue | undefined;
      for (const q of this.#queues.values()) {
        if (q.due) {
          queue = q;
          break;
        }
      }
      if (!queue) {
        // An idle generation takes what is queued once the requests already received this turn are parsed
        // (setImmediate runs after the poll phase): a lone request waits microseconds, a burst leaves as one.
        if (this.#inflight === 0 && this.#queues.size > 0 && this.#soon === undefined) {
          this.#soon = setImmediate(() => {
            this.#soon = undefined;
            if (this.#inflight === 0) for (const q of this.#queues.values()) q.due = true;
            this.#kick();
          });
        }
        return;
      }
      this.#dispatch(this.#take(queue));
    }
  }

  /** The oldest requests of a queue, up to maxBatchSize rows (a bigger request goes alone, never split). */
  #take(q: Queue): Pending[] {
    const max = this.#config().maxBatchSize;
    const batch: Pending[] = [];
    let rows = 0;
    while (q.items.length > 0) {
      const next = q.items[0]!;
      if (batch.length > 0 && (rows + next.rows > max || q.key.startsWith('alone:'))) break;
      batch.push(q.items.shift()!);
      rows += next.rows;
    }
    q.rows -= rows;
    if (q.items.length === 0) {
      clearTimeout(q.timer);
      this.#queues.delete(q.key);
    }
    // Left-overs have waited at least as long as the batch that just left: they go next.
    this.#hooks.onQueue?.(-batch.length);
    return batch;
  }

  #dispatch(batch: Pending[]): void {
    this.#inflight++;
    const rows = batch.reduce((n, p) => n + p.rows, 0);
    this.#hooks.onBatch?.(rows, batch.length);
    void this.#run(batch).finally(() => {
      this.#inflight--;
      this.#pending -= batch.length;
      if (this.#pending === 0) for (const resolve of this.#idle.splice(0)) resolve();
      this.#kick();
    });
  }

  async #run(batch: Pending[]): Promise<void> {
    try {
      if (batch.length === 1) {
        batch[0]!.resolve(await this.#runtime.infer(batch[0]!.inputs));
        return;
      }
      const merged: Record<string, Tensor> = {};
      for (const spec of this.#runtime.signature.inputs) {
        merged[spec.name] = concat(batch.map((p) => p.inputs[spec.name]!));
      }
      const out = await this.#runtime.infer(merged);
      let row = 0;
      for (const p of batch) {
        const mine: Outputs = {};
        for (const [name, t] of Object.entries(out)) mine[name] = sliceRows(t, row, p.rows);
        row += p.rows;
        p.resolve(mine);
      }
    } catch (err) {
      for (const p of batch) p.reject(err);
    }
  }
}
