/** Prometheus metrics: one registry per server (tests start several), default process metrics + HTTP timings. */
import type { FastifyInstance } from 'fastify';
import { Counter, collectDefaultMetrics, Histogram, Registry } from 'prom-client';
import { Memo } from '../util/memo.js';

export function createRegistry(): Registry {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry, prefix: 'swarmlab_' });
  return registry;
}

/** Records one HTTP request: its method, route pattern, status and duration in seconds. */
export type HttpObserver = (method: string, route: string, status: number, seconds: number) => void;

/** The HTTP request series of a registry, shared by Fastify's routes and the inference fast path. */
export function httpObserver(registry: Registry): HttpObserver {
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
  // Children bound once per (method, status, route): their label sets are built and validated once.
  const series = new Memo<{ requests: Counter.Internal; duration: Histogram.Internal<string> }>();
  return (method, route, status, seconds) => {
    const s = series.get(`${method} ${status} ${route}`, () => ({
      requests: requests.labels({ method, route, status }),
      duration: duration.labels({ method, route }),
    }));
    s.requests.inc();
    s.duration.observe(seconds);
  };
}

/** `text`: the exposition to serve, when it is more than this registry's (several processes, summed). */
export function installMetrics(
  app: FastifyInstance,
  registry: Registry,
  observe: HttpObserver,
  text: () => Promise<string> = () => registry.metrics(),
): void {
  // A callback hook: no promise per request.
  app.addHook('onResponse', (request, reply, done) => {
    observe(
      request.method,
      request.routeOptions.url ?? 'unmatched',
      reply.statusCode,
      reply.elapsedTime / 1000,
    );
    done();
  });
  app.get('/metrics', async (_request, reply) => {
    reply.type(registry.contentType);
    return text();
  });
}
