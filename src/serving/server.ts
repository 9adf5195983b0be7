/**
 * The model server: the served models, their configuration, and inference through batching. Protocol-neutral:
 * the HTTP layer turns TF-Serving or KServe v2 bodies into named tensors against the signature handed to it.
 */
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import { InvalidError, isSwarmlabError, NotFoundError, UnavailableError } from '../errors/index.js';
import type { LoadedGeneration } from './loaded.js';
import { ServingMetrics } from './metrics.js';
import { ServedModel } from './model.js';
import { loadRuntime, type RuntimeLoader } from './runtime/index.js';
import type { ModelSource } from './source.js';
import {
  DEFAULT_SERVING,
  type ModelStatus,
  type Selector,
  type ServingConfig,
  type Signature,
  type Tensor,
} from './types.js';

export interface ModelServerOptions {
  source: ModelSource;
  loader?: RuntimeLoader;
  logger?: Logger;
  /** Serve only these models (standalone `--models a,b`); default every model of the registry. */
  models?: string[];
  /** Load each listed model's production generation at start instead of on its first request. */
  eager?: boolean;
  /** Defaults for every model, then per-model overrides. */
  defaults?: Partial<ServingConfig>;
  configs?: Record<string, Partial<ServingConfig>>;
  failedRetryMs?: number;
  maxPinned?: number;
}

export interface InferResult {
  outputs: Record<string, Tensor>;
  generation: number;
  signature: Signature;
}

/** Turns a request body into named input tensors once the signature is known (throws InvalidError). */
export type InputBuilder = (signature: Signature, generation: number) => Record<string, Tensor>;

export class ModelServer {
  readonly metrics = new ServingMetrics();
  readonly #options: ModelServerOptions;
  readonly #defaults: ServingConfig;
  readonly #configs = new Map<string, ServingConfig>();
  readonly #models = new Map<string, Promise<ServedModel>>();
  #stopWatch: (() => Promise<void>) | undefined;
  #started: Promise<void> | undefined;
  #closed = false;

  constructor(options: ModelServerOptions) {
    this.#options = options;
    this.#defaults = checkConfig({ ...DEFAULT_SERVING, ...options.defaults });
    for (const [name, c] of Object.entries(options.configs ?? {})) {
      this.#configs.set(name, checkConfig({ ...this.#defaults, ...c }));
    }
  }

  /** Follows stage changes and, when eager, loads the listed models' production generations. Idempotent. */
  start(): Promise<void> {
    this.#started ??= (async () => {
      this.#stopWatch = await this.#options.source.watch((name) => this.#changed(name));
      if (this.#options.eager) {
        await Promise.all(
          (this.#options.models ?? []).map(async (name) => {
            try {
              const m = await this.model(name);
              if (m.production !== null) await m.get(m.production).ready.catch(() => {});
            } catch (err) {
              // A listed model may not exist yet: it is looked up again on its first request.
              this.#options.logger?.warn({ err, model: name }, 'serving: cannot load at start');
            }
          }),
        );
      }
    })();
    return this.#started;
  }

  get ready(): boolean {
    return !this.#closed;
  }

  registerMetrics(registry: Registry): void {
    this.metrics.register(registry);
  }

  /** A served model (its stages read once, then kept current by events); NotFoundError when unknown. */
  model(name: string): Promise<ServedModel> {
    const list = this.#options.models;
    if (list && !list.includes(name)) {
      return Promise.reject(
        new NotFoundError(`model ${name} is not served here (serving ${list.join(', ')})`, {
          details: { model: name, served: list },
        }),
      );
    }
    let m = this.#models.get(name);
    if (!m) {
      m = this.#options.source.stages(name).then(
        (stages) =>
          new ServedModel(name, stages, this.#configFor(name), {
            source: this.#options.source,
            loader: this.#options.loader ?? loadRuntime,
            metrics: this.metrics,
            logger: this.#options.logger,
            failedRetryMs: this.#options.failedRetryMs ?? 30_000,
            maxPinned: this.#options.maxPinned ?? 2,
          }),
      );
      this.#models.set(name, m);
      m.catch(() => this.#models.delete(name));
    }
    return m;
  }

  /** Runs one request: route, wait for the generation's load, build inputs, queue in its batcher. */
  async infer(name: string, selector: Selector, build: InputBuilder): Promise<InferResult> {
    if (this.#closed) throw new UnavailableError('the model server is shutting down');
    const model = await this.model(name);
    const { loaded, release } = model.route(selector);
    try {
      await this.#ready(model, loaded);
      const runtime = loaded.runtime!;
      const inputs = build(runtime.signature, loaded.generation);
      const outputs = await loaded.batcher!.submit(inputs);
      return { outputs, generation: loaded.generation, signature: runtime.signature };
    } finally {
      release();
    }
  }

  /** The signature of the generation a selector names (loading it if needed). */
  async signature(name: string, selector: Selector): Promise<{ generation: number; signature: Signature }> {
    const model = await this.model(name);
    const { loaded, release } = model.route(
      selector.kind === 'default' ? { kind: 'label', stage: 'production' } : selector,
    );
    try {
      await this.#ready(model, loaded);
      return { generation: loaded.generation, signature: loaded.runtime!.signature };
    } finally {
      release();
    }
  }

  /** A model's status after trying to load the generation the selector names, so failures show their reason. */
  async status(
    name: string,
    selector: Selector = { kind: 'label', stage: 'production' },
  ): Promise<ModelStatus> {
    const model = await this.model(name);
    const { loaded, release } = model.route(selector);
    release();
    await this.#ready(model, loaded).catch((err: unknown) => {
      if (isSwarmlabError(err) && err.code === 'NOT_FOUND') throw err;
    });
    return model.status();
  }

  /** Statuses of the models touched so far. */
  async list(): Promise<ModelStatus[]> {
    const models = await Promise.allSettled([...this.#models.values()]);
    return models.flatMap((m) => (m.status === 'fulfilled' ? [m.value.status()] : []));
  }

  config(name: string): ServingConfig {
    return { ...this.#configFor(name) };
  }

  /** Changes a model's serving settings; takes effect for the next batch. */
  async configure(name: string, patch: Partial<ServingConfig>): Promise<ServingConfig> {
    const next = checkConfig({ ...this.#configFor(name), ...patch });
    this.#configs.set(name, next);
    const served = this.#models.get(name);
    if (served) {
      const m = await served;
      m.config = next;
      if (next.canaryPercent > 0 && m.staging !== null) await m.get(m.staging).ready.catch(() => {});
    }
    return { ...next };
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.#stopWatch?.();
    const models = await Promise.allSettled([...this.#models.values()]);
    await Promise.all(models.map((m) => (m.status === 'fulfilled' ? m.value.close() : undefined)));
  }

  #configFor(name: string): ServingConfig {
    return this.#configs.get(name) ?? this.#defaults;
  }

  async #ready(model: ServedModel, loaded: LoadedGeneration): Promise<void> {
    try {
      await loaded.ready;
    } catch (err) {
      if (isNotFound(loaded)) {
        model.forget(loaded);
        throw new NotFoundError(`model ${model.name} has no generation ${loaded.generation}`, {
          details: { model: model.name, generation: loaded.generation },
        });
      }
      throw err;
    }
  }

  #changed(name: string): void {
    const m = this.#models.get(name);
    if (!m) return;
    void m.then((model) => model.reconcile(() => this.#options.source.stages(name))).catch(() => {});
  }
}

const isNotFound = (l: LoadedGeneration): boolean => l.notFound;

/** Validates settings; names the field at fault. */
export function checkConfig(c: ServingConfig): ServingConfig {
  const int = (field: keyof ServingConfig, min: number, max: number) => {
    const v = c[field];
    if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max) {
      throw new InvalidError(`${field}: must be an integer from ${min} to ${max}`, { details: { field } });
    }
  };
  int('maxBatchSize', 1, 65536);
  int('maxInflight', 1, 64);
  if (typeof c.maxDelayMs !== 'number' || !(c.maxDelayMs >= 0 && c.maxDelayMs <= 10_000)) {
    throw new InvalidError('maxDelayMs: must be a number of ms from 0 to 10000', {
      details: { field: 'maxDelayMs' },
    });
  }
  if (typeof c.canaryPercent !== 'number' || !(c.canaryPercent >= 0 && c.canaryPercent <= 100)) {
    throw new InvalidError('canaryPercent: must be from 0 to 100', { details: { field: 'canaryPercent' } });
  }
  if (typeof c.batching !== 'boolean') {
    throw new InvalidError('batching: must be true or false', { details: { field: 'batching' } });
  }
  return c;
}
