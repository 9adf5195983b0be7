/** Test helper: a real manager on a temp data dir (LMDB) and a registry client to put models in it, with cleanup. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { type Manager, startManager } from '../../app.js';
import { resolveConfig } from '../../config/index.js';
import { SwarmlabClient } from '../../sdk/index.js';
import { ModelsClient } from '../../sdk/models.js';

export interface ServingTestManager {
  manager: Manager;
  client: SwarmlabClient;
  models: ModelsClient;
  /** Saves an ONNX generation of `model` (staged when asked); resolves to its number. */
  save(model: string, bytes: Uint8Array, stage?: 'production' | 'staging'): Promise<number>;
  /** Closes the manager and removes its data dir. */
  close(): Promise<void>;
}

export async function servingTestManager(logLevel = 'silent'): Promise<ServingTestManager> {
  const dir = await mkdtemp(join(tmpdir(), 'swarmlab-serving-'));
  const manager = await startManager(
    resolveConfig({ dataDir: dir, port: 0, logLevel: 'silent', localNode: false }),
    { logger: pino({ level: logLevel }) },
  );
  const client = new SwarmlabClient({ url: manager.url, token: manager.token });
  const models = new ModelsClient(client, {});
  return {
    manager,
    client,
    models,
    async save(model, bytes, stage) {
      const g = await models.saveGeneration({ model, type: 'classifier/mlp', format: 'onnx', buffer: bytes });
      if (stage) await models.setStage(model, g.generation, stage);
      return g.generation;
    },
    async close() {
      await manager.close();
      await rm(dir, { recursive: true, force: true });
    },
  };
}
