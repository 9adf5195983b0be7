/** A server with only the inference endpoints (/v1, /v2, /api/v1/serving, /metrics, /healthz): `swarmlab serve`. */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { ModelServer } from '../serving/index.js';
import { VERSION } from '../util/version.js';
import { createBaseApp } from './base.js';
import { createRegistry } from './metrics.js';
import { registerServingRoutes } from './routes/serving.js';

export interface ServingServerDeps {
  serving: ModelServer;
  logger: Logger;
  /** The token clients must present: for writes (settings), and for reads too when `requireToken`. */
  token: string | undefined;
  requireToken: boolean;
  exposed: boolean;
}

export async function buildServingServer(deps: ServingServerDeps): Promise<FastifyInstance> {
  const app = createBaseApp({
    logger: deps.logger,
    bodyLimit: 64 * 1024 * 1024,
    auth: {
      token: deps.token,
      requireForReads: deps.requireToken,
      requireForWrites: deps.requireToken || deps.exposed,
    },
    serving: deps.serving,
    registry: createRegistry(),
  });
  const startedAt = Date.now();
  app.get('/healthz', async () => ({
    status: 'ok',
    version: VERSION,
    role: 'serving',
    uptimeSeconds: Math.round((Date.now() - startedAt) / 100) / 10,
  }));
  await registerServingRoutes(app, deps.serving);
  return app;
}
