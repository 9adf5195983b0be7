/** `GET /healthz`: the store backend, the version and the uptime; 503 when the store does not answer. */
import type { FastifyInstance } from 'fastify';
import type { Store } from '../store/index.js';
import { VERSION } from '../util/version.js';
import { errorBody } from './errors.js';

export function installHealth(app: FastifyInstance, store: Store, startedAt: number): void {
  app.get('/healthz', async (_request, reply) => {
    try {
      await store.get('health/probe');
    } catch (err) {
      return reply
        .status(503)
        .send(errorBody('UNAVAILABLE', `store ${store.backend} does not answer: ${String(err)}`));
    }
    return {
      status: 'ok',
      version: VERSION,
      store: store.backend,
      uptimeSeconds: Math.round((Date.now() - startedAt) / 100) / 10,
    };
  });
}
