/** Session API: submit, list (filtered, sorted, paged), get, stop, delete, logs, rules, params. Validated with zod. */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { parseRules } from '../../rules/index.js';
import type { SessionSpec } from '../../sessions/index.js';
import type { Services } from '../services.js';
import { JOB_ROUTE, OWN_SESSION } from './access.js';
import { int, parseBody, parseQuery, sessionIdParam } from './query.js';
import { paramsSchema, safeName, tagsSchema } from './session-fields.js';
import { parseListQuery } from './session-list.js';

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a variable name');

export const submitBody = z.strictObject({
  name: z.string().min(1).max(200).optional(),
  command: z
    .array(z.string())
    .min(1, 'must not be empty')
    .refine((argv) => argv[0] !== '', { message: 'must name a program', path: [0] }),
  shell: z.boolean().optional(),
  cwd: z.string().min(1).optional(),
  env: z.record(envName, z.string()).optional(),
  dataset: z.string().min(1).max(300).optional(),
  resources: z
    .strictObject({
      cpus: z.number().positive().optional(),
      memoryMb: z.number().nonnegative().optional(),
      gpus: z.number().int().nonnegative().optional(),
      gpuMemoryFraction: z.number().gt(0).lte(1).optional(),
    })
    .optional(),
  priority: z.number().int().optional(),
  pool: z.string().min(1).max(100).optional(),
  labels: z.record(z.string(), z.string()).optional(),
  maxRuntimeMs: z.number().int().positive().optional(),
  /** A Docker image reference (`name[:tag]` or `name@sha256:…`, optionally behind a registry host). */
  image: z
    .string()
    .max(255)
    .regex(/^[a-z0-9][a-z0-9._/:@-]*$/, 'must be an image reference like repo/name:tag')
    .optional(),
  keep: z.boolean().optional(),
  /** Checked by `parseRules`, which names the bad field as `rules.stopIf[1].patience`. */
  rules: z.unknown().optional(),
  params: paramsSchema.optional(),
  tags: tagsSchema.optional(),
  project: safeName.optional(),
  replicas: z.number().int().min(1).max(1024).optional(),
  /** Models the session's token may save generations of. */
  models: z.array(z.string().min(1).max(200)).max(100).optional(),
});

const logsQuery = z.object({
  tail: int(0, 100_000).optional(),
  after: int(0, Number.MAX_SAFE_INTEGER).optional(),
  limit: int(1, 10_000).optional(),
});

const idParams = z.object({ id: sessionIdParam });
const stopBody = z.strictObject({ reason: z.string().min(1).max(500).optional() }).optional();
const paramsBody = z.strictObject({ params: paramsSchema });

export async function registerSessionRoutes(app: FastifyInstance, services: Services): Promise<void> {
  const { sessions } = services;

  app.post('/api/v1/sessions', async (request, reply) => {
    const { rules, ...rest } = parseBody(submitBody, request.body);
    const spec: SessionSpec = rules === undefined ? rest : { ...rest, rules: parseRules(rules) };
    reply.status(201);
    return sessions.submit(spec);
  });

  app.get('/api/v1/sessions', async (request) => services.experiments.list(parseListQuery(request.query)));

  app.get('/api/v1/sessions/:id', { config: OWN_SESSION }, async (request) =>
    sessions.get(parseQuery(idParams, request.params).id),
  );

  app.delete('/api/v1/sessions/:id', async (request) =>
    sessions.delete(parseQuery(idParams, request.params).id),
  );

  app.post('/api/v1/sessions/:id/stop', async (request, reply) => {
    const { id } = parseQuery(idParams, request.params);
    const body = parseBody(stopBody, request.body ?? undefined);
    reply.status(202);
    return sessions.stop(id, body?.reason);
  });

  app.post('/api/v1/sessions/:id/params', { config: JOB_ROUTE }, async (request) => {
    const { id } = parseQuery(idParams, request.params);
    return sessions.addParams(id, parseBody(paramsBody, request.body).params);
  });

  app.post('/api/v1/sessions/:id/checkpointable', { config: JOB_ROUTE }, async (request) =>
    sessions.checkpointable(parseQuery(idParams, request.params).id),
  );

  app.get('/api/v1/sessions/:id/rules', { config: OWN_SESSION }, async (request) =>
    services.rules.describe(parseQuery(idParams, request.params).id),
  );

  app.get('/api/v1/sessions/:id/logs', { config: OWN_SESSION }, async (request) => {
    const { id } = parseQuery(idParams, request.params);
    return sessions.logs(id, parseQuery(logsQuery, request.query));
  });
}
