/**
 * One served model: which generation answers (production, staging for the canary share, or a pinned version),
 * the generations loaded for it, and hot swaps. A swap loads and warms the new generation beside the old one,
 * switches the pointer in one synchronous assignment, then drains and unloads the old one.
 */
import type { Logger } from 'pino';
import { NotFoundError } from '../errors/index.js';
import { LoadedGeneration } from './loaded.js';
import type { ServingMetrics } from './metrics.js';
import type { RuntimeLoader } from './runtime/index.js';
import type { ModelSource, Stages } from './source.js';
import type { GenerationStatus, ModelStatus, Selector, ServingConfig } from './types.js';

export interface ServedModelDeps {
  source: ModelSource;
  loader: RuntimeLoader;
  metrics: ServingMetrics;
  logger: Logger | undefined;
  /** A failed load is retried by the next request after this long, ms. */
  failedRetryMs: number;
  /** Generations kept loaded besides production and staging (versions/{g} requests), least recently used go. */
  maxPinned: number;
}

export interface Routed {
  loaded: LoadedGeneration;
  release: () => void;
}

export class ServedModel {
  readonly name: string;
  production: number | null;
  staging: number | null;
  config: ServingConfig;
  readonly #deps: ServedModelDeps;
  readonly #loaded = new Map<number, LoadedGeneration>();
  #canary = 0;
  #sync: Promise<void> = Promise.resolve();

  constructor(name: string, stages: Stages, config: ServingConfig, deps: ServedModelDeps) {
    this.name = name;
    this.production = stages.production;
    this.staging = stages.staging;
    this.config = config;
    this.#deps = deps;
    this.#publishGeneration();
  }

  /** Picks the generation for a request and leases it, synchronously (no swap can slip in between). */
  route(selector: Selector): Routed {
    const loaded = this.get(this.#pick(selector));
    return { loaded, release: loaded.lease() };
  }

  /** The loaded (or loading) generation, starting its load if needed. */
  get(generation: number): LoadedGeneration {
    const existing = this.#loaded.get(generation);
    const retry = existing?.state === 'failed' && Date.now() - existing.failedAt >= this.#deps.failedRetryMs;
    if (existing && !retry && existing.state !== 'unloading') return existing;
    const loaded = new LoadedGeneration(this.name, generation, {
      source: this.#deps.source,
      loader: this.#deps.loader,
      config: () => this.config,
      metrics: this.#deps.metrics,
    });
    this.#loaded.set(generation, loaded);
    this.#evictPinned();
    return loaded;
  }

  /** Forgets a generation whose load found it missing (so a later upload of that number is not shadowed). */
  forget(loaded: LoadedGeneration): void {
    if (this.#loaded.get(loaded.generation) === loaded) this.#loaded.delete(loaded.generation);
  }

  /** Applies new stages (after a `model.promoted` event); calls are serialized per model. */
  reconcile(stages: () => Promise<Stages>): Promise<void> {
    this.#sync = this.#sync
      .then(async () => this.#apply(await stages()))
      .catch((err: unknown) =>
        this.#deps.logger?.error({ err, model: this.name }, 'serving: stage sync failed'),
      );
    return this.#sync;
  }

  status(): ModelStatus {
    const generations: GenerationStatus[] = [...this.#loaded.values()]
      .map((l) => ({
        generation: l.generation,
        role:
          l.generation === this.production
            ? ('production' as const)
            : l.generation === this.staging
              ? ('staging' as const)
              : ('pinned' as const),
        state: l.state,
        ...(l.error !== undefined ? { error: l.error } : {}),
        ...(l.runtime ? { runtime: l.runtime.kind } : {}),
      }))
      .sort((a, b) => a.generation - b.generation);
    return {
      model: this.name,
      production: this.production,
      staging: this.staging,
      generations,
      config: { ...this.config },
    };
  }

  async close(): Promise<void> {
    const all = [...this.#loaded.values()];
    this.#loaded.clear();
    await Promise.all(all.map((l) => l.unload()));
  }

  #pick(selector: Selector): number {
    switch (selector.kind) {
      case 'version':
        return selector.generation;
      case 'label':
        return this.#holder(selector.stage);
      case 'default': {
        if (this.staging !== null && this.config.canaryPercent > 0 && this.production !== null) {
          // Deterministic share: exactly canaryPercent of every 100 unpinned requests go to staging.
          this.#canary += this.config.canaryPercent;
          if (this.#canary >= 100) {
            this.#canary -= 100;
            if (this.#loaded.get(this.staging)?.state !== 'failed') return this.staging;
          }
        }
        return this.#holder('production');
      }
      default:
        return assertNever(selector);
    }
  }

  #holder(stage: 'production' | 'staging'): number {
    const g = this[stage];
    if (g === null) {
      throw new NotFoundError(`model ${this.name} has no ${stage} generation to serve`, {
        details: { model: this.name, stage },
      });
    }
    return g;
  }

  async #apply(next: Stages): Promise<void> {
    const before = { production: this.production, staging: this.staging };
    // Staging first: a staging → production promotion then finds the generation already warm.
    if (next.staging !== before.staging) {
      if (next.staging !== null && this.config.canaryPercent > 0) await this.#warm(next.staging);
      this.staging = next.staging;
    }
    if (next.production !== before.production) {
      const active = before.production !== null && this.#loaded.has(before.production);
      if (next.production !== null && active) {
        const ok = await this.#warm(next.production);
        // A generation that cannot load takes no traffic; the previous one keeps serving (status says why).
        if (!ok) return;
      }
      this.production = next.production;
      this.#publishGeneration();
    }
    for (const g of [before.production, before.staging]) {
      if (g !== null && g !== this.production && g !== this.staging) await this.#retire(g);
    }
  }

  async #warm(generation: number): Promise<boolean> {
    const loaded = this.get(generation);
    try {
      await loaded.ready;
      return true;
    } catch (err) {
      this.#deps.logger?.error(
        { err, model: this.name, generation },
        'serving: promoted generation failed to load',
      );
      return false;
    }
  }

  async #retire(generation: number): Promise<void> {
    const loaded = this.#loaded.get(generation);
    if (!loaded) return;
    this.#loaded.delete(generation);
    await loaded.unload();
  }

  #evictPinned(): void {
    const pinned = [...this.#loaded.values()]
      .filter((l) => l.generation !== this.production && l.generation !== this.staging)
      .sort((a, b) => a.lastUsed - b.lastUsed);
    while (pinned.length > this.#deps.maxPinned) {
      const l = pinned.shift()!;
      this.#loaded.delete(l.generation);
      void l.unload();
    }
  }

  #publishGeneration(): void {
    if (this.production !== null) this.#deps.metrics.generation.set({ model: this.name }, this.production);
  }
}

function assertNever(x: never): never {
  throw new Error(`unexpected selector ${JSON.stringify(x)}`);
}
