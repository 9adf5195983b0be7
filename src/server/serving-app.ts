/** A server with only the inference endpoints (/v1, /v2, /api/v1/serving, /metrics, /healthz): `swarmlab serve`. */
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { ModelServer } from '../serving/index.js';
import { VERSION } from '../util/version.js';
import { installAuth } from './auth.js';
import { installErrorHandling } from './errors.js';
import { createRegistry, installMetrics } from './metrics.js';
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
  const app: FastifyInstance = Fastify({
    loggerInstance: deps.logger as FastifyBaseLogger,
    bodyLimit: 64 * 1024 * 1024,
    disableRequestLogging: true,
    return503OnClosing: true,
  });
  const registry = createRegistry();
  deps.serving.registerMetrics(registry);
  installErrorHandling(app);
  installAuth(app, {
    token: deps.token,
    requireForReads: deps.requireToken,
    requireForWrites: deps.requireToken || deps.exposed,
  });
  installMetrics(app, registry);
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
