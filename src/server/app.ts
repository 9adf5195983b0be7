/** Builds the HTTP server: error mapping, auth, health, metrics, then every domain's routes. */
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Registry } from 'prom-client';
import { installAuth } from './auth.js';
import { installErrorHandling } from './errors.js';
import { installHealth } from './health.js';
import { createRegistry, installMetrics } from './metrics.js';
import { registerRoutes } from './routes/index.js';
import type { Services } from './services.js';

export interface ServerDeps {
  services: Services;
  requireToken: boolean;
  /** True when listening beyond loopback: writes then always need the token. */
  exposed: boolean;
  bodyLimit: number;
  registry?: Registry;
}

export interface Server {
  app: FastifyInstance;
  registry: Registry;
}

export async function buildServer(deps: ServerDeps): Promise<Server> {
  const app: FastifyInstance = Fastify({
    loggerInstance: deps.services.logger as FastifyBaseLogger,
    bodyLimit: Math.min(deps.bodyLimit, 64 * 1024 * 1024),
    // Per-request log lines would drown the manager's log; metrics count requests instead.
    logController: new LogController({ disableRequestLogging: true }),
    forceCloseConnections: false,
    return503OnClosing: true,
  });
  const registry = deps.registry ?? createRegistry();
  deps.services.serving.registerMetrics(registry);
  installErrorHandling(app);
  installAuth(app, {
    token: deps.services.token,
    requireForReads: deps.requireToken,
    requireForWrites: deps.requireToken || deps.exposed,
  });
  installMetrics(app, registry);
  installHealth(app, deps.services.store, Date.now());
  await registerRoutes(app, deps.services);
  return { app, registry };
}
