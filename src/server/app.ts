/** Builds the HTTP server: error mapping, auth, health, metrics, then every domain's routes. */
import type { FastifyInstance } from 'fastify';
import type { Registry } from 'prom-client';
import { createBaseApp } from './base.js';
import { installHealth } from './health.js';
import { createRegistry } from './metrics.js';
import { principalResolver } from './principals.js';
import { registerRoutes } from './routes/index.js';
import type { Services } from './services.js';
import { registerUsageMetrics } from './usage-metrics.js';

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
  const registry = deps.registry ?? createRegistry();
  const app = createBaseApp({
    logger: deps.services.logger,
    bodyLimit: Math.min(deps.bodyLimit, 64 * 1024 * 1024),
    auth: {
      token: deps.services.token,
      requireForReads: deps.requireToken,
      requireForWrites: deps.requireToken || deps.exposed,
      resolve: principalResolver(deps.services),
    },
    serving: deps.services.serving,
    registry,
    forceCloseConnections: false,
  });
  installHealth(app, deps.services.store, Date.now());
  registerUsageMetrics(registry, deps.services.usage);
  await registerRoutes(app, deps.services);
  return { app, registry };
}
