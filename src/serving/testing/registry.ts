/** Serving test support: a registry client on a test manager that saves the ONNX generations to serve. */
import { ModelsClient } from '../../sdk/models.js';
import type { TestManager } from '../../testing/manager.js';

export interface OnnxRegistry {
  models: ModelsClient;
  /** Saves an ONNX generation of `model` (staged when asked); resolves to its number. */
  save(model: string, bytes: Uint8Array, stage?: 'production' | 'staging'): Promise<number>;
}

export function onnxRegistry(t: TestManager): OnnxRegistry {
  const models = new ModelsClient(t.client, {});
  return {
    models,
    async save(model, bytes, stage) {
      const g = await models.saveGeneration({ model, type: 'classifier/mlp', format: 'onnx', buffer: bytes });
      if (stage) await models.setStage(model, g.generation, stage);
      return g.generation;
    },
  };
}
