/**
 * Where the model server gets generations and hears about stage changes: the registry and event hub in the
 * manager's process, or (standalone `swarmlab serve`) a manager over HTTP and its events WebSocket.
 */
import type { EventArchive, EventHub } from '../events/index.js';
import type { ModelRegistry } from '../models/index.js';
import type { GenerationFiles } from './types.js';

export interface Stages {
  production: number | null;
  staging: number | null;
}

export interface ModelSource {
  /** Which generations hold production and staging now; NotFoundError for an unknown model. */
  stages(model: string): Promise<Stages>;
  /** Every file of a generation; NotFoundError when it does not exist. */
  files(model: string, generation: number): Promise<GenerationFiles>;
  /** Calls `onChange(model)` whenever a model's stages may have changed; resolves to a stop function. */
  watch(onChange: (model: string) => void): Promise<() => Promise<void>>;
}

async function collect(body: AsyncIterable<Uint8Array>): Promise<Uint8Array> {
  const parts: Uint8Array[] = [];
  for await (const chunk of body) parts.push(chunk);
  return Buffer.concat(parts);
}

/** The manager's own registry and hub: no copies over the network, promotions seen as they commit. */
export class RegistrySource implements ModelSource {
  readonly #registry: ModelRegistry;
  readonly #hub: EventHub;
  readonly #archive: EventArchive;

  constructor(registry: ModelRegistry, hub: EventHub, archive: EventArchive) {
    this.#registry = registry;
    this.#hub = hub;
    this.#archive = archive;
  }

  async stages(model: string): Promise<Stages> {
    const m = await this.#registry.model(model);
    return { production: m.production, staging: m.staging };
  }

  async files(model: string, generation: number): Promise<GenerationFiles> {
    const gen = await this.#registry.generation(model, generation);
    const files: Record<string, Uint8Array> = {};
    for (const f of gen.files) {
      const { body } = await this.#registry.weights(model, generation, f.name);
      files[f.name] = await collect(body);
    }
    return { model, generation, format: gen.format, primary: gen.primary, files };
  }

  async watch(onChange: (model: string) => void): Promise<() => Promise<void>> {
    // From the archive's current end: what happened before is read through stages() on first use.
    const after = await this.#archive.lastCursor();
    const stop = await this.#hub.subscribe({ types: ['model.promoted'] }, after, (e) => {
      if (e.type === 'model.promoted') onChange(e.data.model);
    });
    return async () => stop();
  }
}
