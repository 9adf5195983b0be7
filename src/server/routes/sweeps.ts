/** Sweep API: create (validated here: the sweep's fields, then its trial template as a session submit), list, get, stop. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { type SweepSpec, sweepSchema } from '../../api/sweeps.js';
import { parseRules } from '../../rules/index.js';
import type { Services } from '../services.js';
import { int, parseBody, parseQuery } from './query.js';
import { submitBody } from './sessions.js';

/** A trial's session: a session submit without `params` (the trial's own). */
const trialTemplate = submitBody.omit({ params: true });

const idParams = z.object({ id: z.string().regex(/^w-[0-9a-z]{15}$/, 'must be a sweep id (w-…)') });
const listQuery = z.object({ limit: int(1, 1000).optional() });
const stopBody = z.strictObject({ reason: z.string().min(1).max(500).optional() }).optional();

function parseSweep(body: unknown): SweepSpec {
  const { session, ...rest } = parseBody(sweepSchema, body);
  const { rules, ...template } = parseBody(trialTemplate, session, 'session.');
  return {
    ...rest,
    session: rules === undefined ? template : { ...template, rules: parseRules(rules, 'session.rules') },
  };
}

export async function registerSweepRoutes(app: FastifyInstance, services: Services): Promise<void> {
  const { sweeps } = services;

  app.post('/api/v1/sweeps', async (request, reply) => {
    const spec = parseSweep(request.body);
    reply.status(201);
    return sweeps.create(spec);
  });

  app.get('/api/v1/sweeps', async (request) => sweeps.list(parseQuery(listQuery, request.query).limit));

  app.get('/api/v1/sweeps/:id', async (request) => sweeps.get(parseQuery(idParams, request.params).id));

  app.post('/api/v1/sweeps/:id/stop', async (request, reply) => {
    const { id } = parseQuery(idParams, request.params);
    const body = parseBody(stopBody, request.body ?? undefined);
    reply.status(202);
    return sweeps.stop(id, body?.reason);
  });
}
