/**
 * `/api/v1/sessions/{id}/reports/{stream}`: the report protocol over plain HTTP + JSON, for any language (the
 * Python client, curl). GET opens or polls a stream, POST stores a numbered batch (idempotent by its number),
 * DELETE closes it; every answer says whether the session was asked to stop. Always needs a token: the
 * session's own, or a write token.
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { parseReport } from '../../telemetry/index.js';
import type { Services } from '../services.js';
import { JOB_ROUTE } from './access.js';
import { parseQuery, sessionIdParam } from './query.js';

const params = z.object({
  id: sessionIdParam,
  stream: z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, 'must be 8–64 of [A-Za-z0-9_-]'),
});
const query = z.object({ sdk: z.string().max(64).default('http') });

export async function registerReportRoutes(app: FastifyInstance, services: Services): Promise<void> {
  const streams = services.channels.http;
  const config = JOB_ROUTE;
  const target = (request: FastifyRequest) => ({
    ...parseQuery(params, request.params),
    ...parseQuery(query, request.query),
  });

  app.get('/api/v1/sessions/:id/reports/:stream', { config }, async (request) => {
    const { id, stream, sdk } = target(request);
    return streams.poll(id, stream, sdk);
  });

  app.post('/api/v1/sessions/:id/reports/:stream', { config }, async (request) => {
    const { id, stream, sdk } = target(request);
    return streams.report(id, stream, parseReport(request.body), sdk);
  });

  app.delete('/api/v1/sessions/:id/reports/:stream', { config }, async (request, reply) => {
    const { id, stream } = target(request);
    await streams.close(id, stream);
    return reply.status(204).send();
  });
}
