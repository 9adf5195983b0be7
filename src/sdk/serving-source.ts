/**
 * A model source over a manager's HTTP API, for a standalone model server (`swarmlab serve`): stages from
 * `GET /api/v1/models/NAME`, files from `…/generations/G/files/F` (sha256-checked), and stage changes from the
 * events WebSocket (resumed from the last cursor after a drop, so no promotion is missed).
 */
import type { GenerationFiles, ModelSource, Stages } from '../serving/index.js';
import type { SwarmlabClient } from './client.js';
import { followEvents } from './events.js';
import { ModelsClient } from './models.js';

export class HttpModelSource implements ModelSource {
  readonly #client: SwarmlabClient;
  readonly #models: ModelsClient;
  readonly #onReconnect: ((info: { code: number; reason: string }) => void) | undefined;

  constructor(
    client: SwarmlabClient,
    options: { onReconnect?: (info: { code: number; reason: string }) => void } = {},
  ) {
    this.#client = client;
    this.#models = new ModelsClient(client);
    this.#onReconnect = options.onReconnect;
  }

  async stages(model: string): Promise<Stages> {
    const m = await this.#models.model(model);
    return { production: m.production, staging: m.staging };
  }

  async files(model: string, generation: number): Promise<GenerationFiles> {
    const loaded = await this.#models.loadGeneration(model, { generation });
    const g = loaded.generation;
    return { model, generation, format: g.format, primary: g.primary, files: loaded.files };
  }

  async watch(onChange: (model: string) => void): Promise<() => Promise<void>> {
    const follower = await followEvents(
      {
        client: this.#client,
        types: ['model.promoted'],
        ...(this.#onReconnect ? { onReconnect: this.#onReconnect } : {}),
      },
      (e) => {
        if (e.type === 'model.promoted') onChange(e.data.model);
      },
    );
    return () => follower.close();
  }
}
