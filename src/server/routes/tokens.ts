/** Token management (admin only): create, list, revoke; and `whoami`, which any token may ask. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { ROLES } from '../../api/index.js';
import { whoAmI } from '../principal.js';
import type { Services } from '../services.js';
import { ADMIN } from './access.js';
import { parseBody, parseQuery } from './query.js';

const createBody = z.strictObject({
  name: z.string().regex(/^[A-Za-z0-9_.@-]{1,64}$/, 'must be 1–64 of [A-Za-z0-9_.@-]'),
  role: z.enum(ROLES),
});
const idParams = z.object({ id: z.string().min(1).max(64) });

export async function registerTokenRoutes(app: FastifyInstance, services: Services): Promise<void> {
  const { tokens } = services;

  app.post('/api/v1/tokens', { config: ADMIN }, async (request, reply) => {
    const { name, role } = parseBody(createBody, request.body);
    reply.status(201);
    return tokens.create(name, role, request.principal.actor);
  });

  app.get('/api/v1/tokens', { config: ADMIN }, async () => ({ tokens: await tokens.list() }));

  app.delete('/api/v1/tokens/:id', { config: ADMIN }, async (request) =>
    tokens.revoke(parseQuery(idParams, request.params).id, request.principal.actor),
  );

  app.get('/api/v1/whoami', { config: { sessionScope: 'any' } }, async (request) =>
    whoAmI(request.principal),
  );
}
