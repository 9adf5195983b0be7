/**
 * A model source over a manager's HTTP API, for a standalone model server (`swarmlab serve`): stages from
 * `GET /api/v1/models/NAME`, files from `…/generations/G/files/F` (sha256-checked), and stage changes from the
 * events WebSocket (resumed from the last cursor after a drop, so no promotion is missed).
 */
import type { ModelRecord } from '../api/index.js';
import type { SwarmlabClient } from './client.js';
import { followEvents } from './events.js';
import { ModelsClient } from './models.js';

/** Structurally a serving `ModelSource` (the SDK does not import the serving module; `swarmlab serve` checks it). */
export class HttpModelSource {
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

  async stages(model: string): Promise<Pick<ModelRecord, 'production' | 'staging'>> {
    const m = await this.#models.model(model);
    return { production: m.production, staging: m.staging };
  }

  async files(model: string, generation: number) {
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
