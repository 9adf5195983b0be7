/** `GET /api/v1/compare?ids=a,b&maxPoints=&metrics=`: params, metric summaries and series of several sessions. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { DEFAULT_COMPARE_POINTS } from '../../experiments/index.js';
import type { Services } from '../services.js';
import { int, listParam, parseQuery, sessionIdParam } from './query.js';

const MAX_IDS = 100;

const query = z.object({
  ids: listParam.pipe(
    z
      .array(sessionIdParam)
      .min(1, 'give at least one session id')
      .max(MAX_IDS, `at most ${MAX_IDS} sessions`),
  ),
  metrics: listParam,
  maxPoints: int(2, 100_000).default(DEFAULT_COMPARE_POINTS),
});

export async function registerCompareRoutes(app: FastifyInstance, services: Services): Promise<void> {
  app.get('/api/v1/compare', async (request) => {
    const { ids, metrics, maxPoints } = parseQuery(query, request.query);
    return services.experiments.compare([...new Set(ids)], { maxPoints, ...(metrics ? { metrics } : {}) });
  });
}
