/** Prometheus metrics: one registry per server (tests start several), default process metrics + HTTP timings. */
import type { FastifyInstance } from 'fastify';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import { Memo } from '../util/memo.js';

export function createRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'swarmlab_' });
  return registry;
}

export function installMetrics(app: FastifyInstance, registry: Registry): void {
  const requests = new Counter({
    name: 'swarmlab_http_requests_total',
    help: 'HTTP requests by method, route and status',
    labelNames: ['method', 'route', 'status'],
    registers: [registry],
  });
  const duration = new Histogram({
    name: 'swarmlab_http_request_duration_seconds',
    help: 'HTTP request duration by method and route',
    labelNames: ['method', 'route'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 5],
    registers: [registry],
  });
  const series = new Memo<{ requests: Counter.Internal; duration: Histogram.Internal<string> }>();
  // A callback hook (no promise per request); label sets hashed once per (method, status, route).
  app.addHook('onResponse', (request, reply, done) => {
    const { method } = request;
    const route = request.routeOptions.url ?? 'unmatched';
    const s = series.get(`${method} ${reply.statusCode} ${route}`, () => ({
      requests: requests.labels({ method, route, status: reply.statusCode }),
      duration: duration.labels({ method, route }),
    }));
    s.requests.inc();
    s.duration.observe(reply.elapsedTime / 1000);
    done();
  });
  app.get('/metrics', async (_request, reply) => {
    reply.type(registry.contentType);
    return registry.metrics();
  });
}
