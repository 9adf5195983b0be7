/**
 * The Fastify instance both servers (the manager's, and `swarmlab serve`'s) start from: error mapping, auth and
 * metrics, on a node:http server whose inference POSTs skip Fastify (see inference.ts).
 */
import { createServer } from 'node:http';
import Fastify, { type FastifyBaseLogger, type FastifyInstance, LogController } from 'fastify';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { ModelServer } from '../serving/index.js';
import { type AuthOptions, installAuth } from './auth.js';
import { installErrorHandling } from './errors.js';
import { InferenceEndpoint } from './inference.js';
import { httpObserver, installMetrics } from './metrics.js';

export interface BaseAppOptions {
  logger: Logger;
  bodyLimit: number;
  auth: AuthOptions;
  serving: ModelServer;
  registry: Registry;
  /** The `/metrics` exposition, when it is more than `registry`'s (several processes, summed). */
  metrics?: () => Promise<string>;
  /** Fastify's option: false lets keep-alive connections finish their current request on close. */
  forceCloseConnections?: boolean | 'idle';
}

export function createBaseApp(options: BaseAppOptions): FastifyInstance {
  const observe = httpObserver(options.registry);
  const inference = new InferenceEndpoint({
    serving: options.serving,
    auth: options.auth,
    bodyLimit: options.bodyLimit,
    observe,
    logger: options.logger,
  });
  const app: FastifyInstance = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    bodyLimit: options.bodyLimit,
    // Per-request log lines would drown the log; metrics count requests instead.
    logController: new LogController({ disableRequestLogging: true }),
    forceCloseConnections: options.forceCloseConnections ?? 'idle',
    return503OnClosing: true,
    serverFactory: (handler, fastifyOptions) => {
      const server = createServer((req, res) => {
        if (!inference.handle(req, res)) handler(req, res);
      });
      // What Fastify sets on the servers it makes itself.
      server.keepAliveTimeout = fastifyOptions.keepAliveTimeout as number;
      server.requestTimeout = fastifyOptions.requestTimeout as number;
      server.setTimeout(fastifyOptions.connectionTimeout as number);
      return server;
    },
  });
  app.addHook('preClose', (done) => {
    inference.close();
    done();
  });
  options.serving.registerMetrics(options.registry);
  installErrorHandling(app);
  installAuth(app, options.auth);
  installMetrics(app, options.registry, observe, options.metrics);
  return app;
}
