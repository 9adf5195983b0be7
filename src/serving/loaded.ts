/** One generation of a model in memory: its load (fetch, runtime, warm-up), its batcher, and leases for draining. */
import { isSwarmlabError, UnavailableError } from '../errors/index.js';
import { Batcher } from './batcher.js';
import type { ServingMetrics } from './metrics.js';
import type { RuntimeLoader } from './runtime/index.js';
import type { ModelSource } from './source.js';
import { allocate, elements } from './tensor.js';
import type { LoadState, ModelRuntime, ServingConfig, Tensor } from './types.js';

export class LoadedGeneration {
  readonly model: string;
  readonly generation: number;
  state: LoadState = 'loading';
  error: string | undefined;
  failedAt = 0;
  /** The generation does not exist (a 404, not a load failure). */
  notFound = false;
  lastUsed = Date.now();
  runtime: ModelRuntime | undefined;
  batcher: Batcher | undefined;
  readonly ready: Promise<void>;
  #leases = 0;
  #released: Array<() => void> = [];

  constructor(
    model: string,
    generation: number,
    deps: {
      source: ModelSource;
      loader: RuntimeLoader;
      config: () => ServingConfig;
      metrics: ServingMetrics;
    },
  ) {
    this.model = model;
    this.generation = generation;
    this.ready = this.#load(deps);
    this.ready.catch(() => {}); // observed through state/error and by whoever awaits it
  }

  async #load(deps: {
    source: ModelSource;
    loader: RuntimeLoader;
    config: () => ServingConfig;
    metrics: ServingMetrics;
  }): Promise<void> {
    try {
      const files = await deps.source.files(this.model, this.generation);
      const runtime = await deps.loader(files);
      try {
        await runtime.infer(warmupInputs(runtime));
      } catch (err) {
        await runtime.dispose();
        throw err;
      }
      this.runtime = runtime;
      const batchSize = deps.metrics.batchSize.labels({ model: this.model });
      const queueDepth = deps.metrics.queueDepth.labels({ model: this.model });
      this.batcher = new Batcher(runtime, deps.config, {
        onBatch: (rows) => batchSize.observe(rows),
        onQueue: (delta) => queueDepth.inc(delta),
      });
      this.state = 'ready';
    } catch (err) {
      this.state = 'failed';
      this.failedAt = Date.now();
      this.error = err instanceof Error ? err.message : String(err);
      if (isSwarmlabError(err) && err.code === 'NOT_FOUND') {
        this.notFound = true;
        throw err;
      }
      throw new UnavailableError(
        `model ${this.model} generation ${this.generation} failed to load: ${this.error}`,
        { details: { model: this.model, generation: this.generation, reason: this.error }, cause: err },
      );
    }
  }

  /** Taken synchronously when a request is routed here, so a swap cannot unload it under the request. */
  lease(): () => void {
    this.#leases++;
    this.lastUsed = Date.now();
    let done = false;
    return () => {
      if (done) return;
      done = true;
      if (--this.#leases === 0) for (const r of this.#released.splice(0)) r();
    };
  }

  /** Waits for every lease and queued request to finish, then frees the runtime. */
  async unload(): Promise<void> {
    this.state = 'unloading';
    await this.ready.catch(() => {});
    if (this.#leases > 0) await new Promise<void>((r) => this.#released.push(r));
    await this.batcher?.idle();
    await this.runtime?.dispose();
  }
}

/** Zeros shaped like the signature (free dimensions 1): the first call allocates and JITs what later ones reuse. */
function warmupInputs(runtime: ModelRuntime): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const spec of runtime.signature.inputs) {
    const shape = spec.shape.map((d) => d ?? 1);
    out[spec.name] = { dtype: spec.dtype, shape, data: allocate(spec.dtype, elements(shape)) };
  }
  return out;
}
