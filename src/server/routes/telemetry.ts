/** `GET /api/v1/sessions/{id}/metrics`: a session's metric series by name, downsampled on request. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import type { Services } from '../services.js';
import { OWN_SESSION } from './access.js';
import { listParam, parseQuery, sessionIdParam } from './query.js';

const params = z.object({ id: sessionIdParam });
const query = z.object({
  names: listParam,
  /** 0 = every point; otherwise at most this many per series, each bucket's min and max kept. */
  maxPoints: z.coerce
    .number()
    .int()
    .min(0)
    .max(1_000_000)
    .refine((n) => n !== 1, 'must be 0 (every point) or at least 2')
    .default(5000),
  after: z.coerce.number().int().nonnegative().optional(),
  /** Only the newest stored batch holding a training series (or one of `names`): a table's "last metric". */
  latest: z.enum(['true', 'false']).optional(),
});

export async function registerTelemetryRoutes(app: FastifyInstance, services: Services): Promise<void> {
  app.get('/api/v1/sessions/:id/metrics', { config: OWN_SESSION }, async (request) => {
    const { id } = parseQuery(params, request.params);
    const { latest, ...q } = parseQuery(query, request.query);
    return latest === 'true' ? services.series.latest(id, q) : services.series.read(id, q);
  });
}
