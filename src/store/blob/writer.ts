/** The streaming blob writer shared by both backends: fills fixed-size chunks, hashes, hands them to a sink. */
import { createHash, type Hash, randomUUID } from 'node:crypto';
import { InvalidError } from '../../errors/index.js';
import type { Lifecycle } from '../lifecycle.js';
import { checkName } from '../names.js';
import type { BlobInfo, BlobWriteOptions, BlobWriter } from '../types.js';
import type { ChunkSink } from './sink.js';

type State = 'open' | 'committed' | 'aborted' | 'failed';

export class ChunkingWriter implements BlobWriter {
  readonly #sink: ChunkSink;
  readonly #chunkSize: number;
  readonly #owner: string | undefined;
  readonly #beforeCommit: BlobWriteOptions['beforeCommit'];
  readonly #uploadId = randomUUID();
  readonly #whole: Hash = createHash('sha256');
  readonly #chunks: string[] = [];
  #buffer: Buffer | undefined;
  #filled = 0;
  #size = 0;
  #state: State = 'open';
  /** Calls are serialised so a caller that forgets to await `write` still gets its bytes in order. */
  #tail: Promise<unknown> = Promise.resolve();

  constructor(sink: ChunkSink, chunkSize: number, options: BlobWriteOptions = {}) {
    this.#sink = sink;
    this.#chunkSize = chunkSize;
    this.#owner = options.owner === undefined ? undefined : checkName(options.owner, 'owner');
    this.#beforeCommit = options.beforeCommit;
  }

  write(bytes: Uint8Array): Promise<void> {
    return this.#serial(async () => {
      this.#checkOpen('write');
      await this.#failSafe(async () => {
        let from = 0;
        while (from < bytes.length) {
          this.#buffer ??= Buffer.allocUnsafe(this.#chunkSize);
          const n = Math.min(this.#chunkSize - this.#filled, bytes.length - from);
          this.#buffer.set(bytes.subarray(from, from + n), this.#filled);
          this.#filled += n;
          from += n;
          if (this.#filled === this.#chunkSize) await this.#flush();
        }
      });
    });
  }

  commit(): Promise<BlobInfo> {
    return this.#serial(async () => {
      this.#checkOpen('commit');
      return this.#failSafe(async () => {
        if (this.#filled > 0) await this.#flush();
        const info: BlobInfo = {
          digest: this.#whole.digest('hex'),
          size: this.#size,
          chunkSize: this.#chunkSize,
          chunks: this.#chunks,
        };
        await this.#beforeCommit?.(info.digest);
        const stored = await this.#sink.commit(this.#uploadId, info, this.#owner);
        this.#state = 'committed';
        return stored;
      });
    });
  }

  abort(): Promise<void> {
    return this.#serial(async () => {
      if (this.#state === 'committed' || this.#state === 'aborted') return;
      this.#state = 'aborted';
      this.#buffer = undefined;
      await this.#sink.release(this.#uploadId);
    });
  }

  async #flush(): Promise<void> {
    const chunk = this.#buffer!.subarray(0, this.#filled);
    // A fresh buffer per chunk: the sink may still hold this one (e.g. queued in a pipeline) when we refill.
    this.#buffer = undefined;
    this.#filled = 0;
    const sha = createHash('sha256').update(chunk).digest('hex');
    this.#whole.update(chunk);
    const index = this.#chunks.length;
    await this.#sink.putChunk(this.#uploadId, index, sha, chunk);
    this.#chunks.push(sha);
    this.#size += chunk.length;
  }

  /** Any failure releases what was written so far, so a broken upload leaves no chunk behind. */
  async #failSafe<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      this.#state = 'failed';
      this.#buffer = undefined;
      try {
        await this.#sink.release(this.#uploadId);
      } catch {
        // The pending-upload record remains; the next sweep releases it.
      }
      throw error;
    }
  }

  #checkOpen(action: string): void {
    if (this.#state !== 'open') {
      throw new InvalidError(`cannot ${action}: blob writer is ${this.#state}`, {
        details: { state: this.#state },
      });
    }
  }

  #serial<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.#tail.then(fn, fn);
    this.#tail = run.catch(() => undefined);
    return run;
  }
}

/**
 * A writer for a backend's chunk sink, each call run through the store's lifecycle: refused once the store
 * is closing, except releases, so writers aborted by their owners during shutdown leave nothing behind.
 */
export function trackedWriter(
  life: Lifecycle,
  sink: ChunkSink,
  chunkSize: number,
  options?: BlobWriteOptions,
): BlobWriter {
  life.checkOpen();
  return new ChunkingWriter(
    {
      putChunk: (id, index, sha, bytes) => life.run(() => sink.putChunk(id, index, sha, bytes)),
      commit: (id, info, owner) => life.run(() => sink.commit(id, info, owner)),
      release: (id) => life.track(sink.release(id)),
    },
    chunkSize,
    options,
  );
}

/** Stores `bytes` as one blob through `writer`. */
export async function writeWhole(writer: BlobWriter, bytes: Uint8Array): Promise<BlobInfo> {
  await writer.write(bytes);
  return writer.commit();
}
