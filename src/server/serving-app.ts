/** A server with only the inference endpoints (/v1, /v2, /api/v1/serving, /metrics, /healthz): `swarmlab serve`. */
import type { FastifyInstance } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { ModelServer } from '../serving/index.js';
import { VERSION } from '../util/version.js';
import { createBaseApp } from './base.js';
import { createRegistry } from './metrics.js';
import { type Configure, registerServingRoutes } from './routes/serving.js';

export interface ServingServerDeps {
  serving: ModelServer;
  logger: Logger;
  /** The token clients must present: for writes (settings), and for reads too when `requireToken`. */
  token: string | undefined;
  requireToken: boolean;
  exposed: boolean;
  /** Defaults to a new one; `swarmlab serve --workers` passes its own to sum it across processes. */
  registry?: Registry;
  /** See ServingServerDeps.registry: every worker's series, summed. */
  metrics?: () => Promise<string>;
  /** A settings change, applied to every worker process. */
  configure?: Configure;
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
    registry: deps.registry ?? createRegistry(),
    ...(deps.metrics ? { metrics: deps.metrics } : {}),
  });
  const startedAt = Date.now();
  app.get('/healthz', async () => ({
    status: 'ok',
    version: VERSION,
    role: 'serving',
    uptimeSeconds: Math.round((Date.now() - startedAt) / 100) / 10,
  }));
  await registerServingRoutes(app, deps.serving, deps.configure);
  return app;
}
