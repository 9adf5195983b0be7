/**
 * Model registry API under /api/v1/models. Uploads are streamed into the store: a raw body
 * (`application/octet-stream`, metadata in the `x-swarmlab-generation` JSON header and/or the query) or
 * multipart (a `metadata` JSON field and one or more files). Multipart and the raw parser are registered in this
 * plugin's own scope so they do not touch other routes' body parsing.
 */
import { Readable } from 'node:stream';
import multipart from '@fastify/multipart';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { ForbiddenError, InvalidError, TooLargeError } from '../../errors/index.js';
import {
  checkIdempotencyKey,
  DEFAULT_FILE_NAMES,
  type GenerationMeta,
  type GenerationRef,
  IDEMPOTENCY_HEADER,
  type ModelRegistry,
  WEIGHT_FORMATS,
  type WeightsUpload,
} from '../../models/index.js';
import type { Services } from '../services.js';
import { OWN_MODEL } from './access.js';
import { parseBody, parseQuery, sessionIdParam } from './query.js';

const metaSchema = z.strictObject({
  type: z.string().min(1).max(200).optional(),
  format: z.enum(WEIGHT_FORMATS),
  metrics: z.record(z.string().min(1).max(200), z.number()).optional(),
  sessionId: sessionIdParam.optional(),
  dataset: z.string().min(1).max(300).optional(),
  parent: z.number().int().positive().optional(),
  file: z.string().min(1).max(128).optional(),
  tensors: z
    .record(
      z.string().min(1),
      z.strictObject({
        shape: z.array(z.number().int().nonnegative()),
        offset: z.number().int().nonnegative(),
      }),
    )
    .optional(),
});

const nameParams = z.object({ name: z.string() });
const generationRef = z
  .string()
  .regex(/^(\d+|production|staging|latest)$/, 'must be a generation number, production, staging or latest')
  .transform((v): GenerationRef => (/^\d+$/.test(v) ? Number(v) : (v as GenerationRef)));
const genParams = z.object({ name: z.string(), g: generationRef });
const fileParams = genParams.extend({ file: z.string() });
const stageBody = z.strictObject({
  stage: z.enum(['staging', 'production', 'archived']),
  reason: z.string().min(1).max(500).optional(),
});
const retentionBody = z.strictObject({ keepLast: z.number().int().nonnegative().nullable() });
const pruneBody = z.strictObject({ keepLast: z.number().int().nonnegative().optional() }).optional();
const int = (min: number) => z.coerce.number().int().min(min);
const historyQuery = z.object({
  at: z.string().optional(),
  after: int(0).optional(),
  limit: int(1).max(10_000).optional(),
});
const diffQuery = z.object({
  a: generationRef,
  b: generationRef,
  tolerance: z.coerce.number().nonnegative().optional(),
});
const treeQuery = z.object({ type: z.string().optional() });
const weightsQuery = z.object({ file: z.string().optional() });

function parseJson(text: string, field: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new InvalidError(`${field}: not valid JSON`, { details: { field } });
  }
}

/** Raw uploads: the JSON header, then query parameters on top. */
function rawMeta(request: FastifyRequest): unknown {
  const header = request.headers['x-swarmlab-generation'];
  const base = typeof header === 'string' ? parseJson(header, 'x-swarmlab-generation') : {};
  const q = { ...(request.query as Record<string, string>) };
  delete q.token;
  const out: Record<string, unknown> = { ...(base as object) };
  for (const [k, v] of Object.entries(q)) {
    if (k === 'metrics' || k === 'tensors') out[k] = parseJson(v, k);
    else if (k === 'parent') out[k] = /^\d+$/.test(v) ? Number(v) : v;
    else out[k] = v;
  }
  return out;
}

/** Multipart: every file part into the upload, the `metadata` field parsed; returns the metadata. */
async function readMultipart(request: FastifyRequest, upload: WeightsUpload): Promise<unknown> {
  let meta: unknown;
  for await (const part of request.parts()) {
    if (part.type === 'file') {
      const name = (part.filename || part.fieldname).split(/[/\\]/).pop()!;
      await upload.addFile(name, part.file);
      if (part.file.truncated) {
        throw new TooLargeError(`${name}: larger than the upload limit`, {
          details: { field: 'weights', file: name },
        });
      }
    } else if (part.fieldname === 'metadata') {
      // @fastify/multipart already parses a field sent as application/json.
      meta = typeof part.value === 'string' ? parseJson(part.value, 'metadata') : part.value;
    } else {
      throw new InvalidError(`${part.fieldname}: unknown field (send "metadata" and files)`, {
        details: { field: part.fieldname },
      });
    }
  }
  if (meta === undefined) throw new InvalidError('metadata: required', { details: { field: 'metadata' } });
  return meta;
}

/**
 * Lineage from the session record: its dataset when the client named none. A session's token saves for its own
 * session only, named or not.
 */
async function withLineage(
  services: Services,
  request: FastifyRequest,
  given: GenerationMeta,
): Promise<GenerationMeta> {
  const own = request.principal.session?.sessionId;
  if (own !== undefined && given.sessionId !== undefined && given.sessionId !== own) {
    throw new ForbiddenError(`sessionId: a session's token saves for its own session (${own})`, {
      details: { field: 'sessionId' },
    });
  }
  const meta = own === undefined ? given : { ...given, sessionId: own };
  if (meta.sessionId === undefined) return meta;
  const session = await services.sessions.get(meta.sessionId).catch(() => undefined);
  if (!session) {
    throw new InvalidError(`sessionId: no session ${meta.sessionId}`, { details: { field: 'sessionId' } });
  }
  return session.dataset && meta.dataset === undefined ? { ...meta, dataset: session.dataset } : meta;
}

/** The save's `Idempotency-Key`, checked before the body is read. */
function idempotencyKeyOf(request: FastifyRequest): { idempotencyKey?: string } {
  const value = request.headers[IDEMPOTENCY_HEADER.toLowerCase()];
  return value === undefined ? {} : { idempotencyKey: checkIdempotencyKey(value) };
}

async function upload(services: Services, registry: ModelRegistry, request: FastifyRequest) {
  const { name } = parseQuery(nameParams, request.params);
  const key = idempotencyKeyOf(request);
  const up = registry.startUpload();
  try {
    let meta: GenerationMeta;
    if (request.isMultipart()) {
      meta = parseBody(metaSchema, await readMultipart(request, up));
    } else {
      meta = parseBody(metaSchema, rawMeta(request));
      const file = meta.file ?? DEFAULT_FILE_NAMES[meta.format];
      if (file === undefined) {
        throw new InvalidError(`format: ${meta.format} has several files; send them as multipart/form-data`, {
          details: { field: 'format' },
        });
      }
      if (!request.body)
        throw new InvalidError('weights: the body is empty', { details: { field: 'weights' } });
      await up.addFile(file, request.body as Readable);
    }
    const actor = request.principal.actor;
    return await registry.save(name, await withLineage(services, request, meta), up, { ...key, actor });
  } catch (err) {
    await up.abort();
    throw err;
  }
}

async function sendFile(
  registry: ModelRegistry,
  reply: FastifyReply,
  name: string,
  g: GenerationRef,
  file?: string,
) {
  const w = await registry.weights(name, g, file);
  const json = w.file.name.toLowerCase().endsWith('.json');
  return reply
    .header('content-type', json ? 'application/json' : 'application/octet-stream')
    .header('content-length', w.file.size)
    .header('etag', `"${w.file.sha256}"`)
    .header('x-swarmlab-sha256', w.file.sha256)
    .header('x-swarmlab-generation', String(w.generation.generation))
    .header('content-disposition', `attachment; filename="${w.file.name}"`)
    .send(Readable.from(w.body));
}

export async function registerModelRoutes(app: FastifyInstance, services: Services): Promise<void> {
  const registry = services.models;
  await app.register(async (scope) => {
    await scope.register(multipart, {
      limits: { fileSize: registry.maxUploadBytes, files: 1000, fields: 4, fieldSize: 16 * 1024 * 1024 },
    });
    if (!scope.hasContentTypeParser('application/octet-stream')) {
      // Hand the stream through: the registry streams it into the store and enforces its own limit.
      scope.addContentTypeParser('application/octet-stream', (_request, payload, done) =>
        done(null, payload),
      );
    }

    scope.post('/api/v1/models/:name/generations', { config: OWN_MODEL }, async (request, reply) => {
      const { generation, created } = await upload(services, registry, request);
      // 200 when an earlier save with the same Idempotency-Key made it.
      reply.status(created ? 201 : 200);
      return generation;
    });
  });

  app.get('/api/v1/models', async (request) => registry.tree(parseQuery(treeQuery, request.query)));

  app.get('/api/v1/models/:name', { config: OWN_MODEL }, async (request) =>
    registry.model(parseQuery(nameParams, request.params).name),
  );

  app.patch('/api/v1/models/:name', async (request) => {
    const { name } = parseQuery(nameParams, request.params);
    return registry.setRetention(
      name,
      parseBody(retentionBody, request.body ?? {}).keepLast,
      request.principal.actor,
    );
  });

  app.get('/api/v1/models/:name/generations', { config: OWN_MODEL }, async (request) => {
    const view = await registry.model(parseQuery(nameParams, request.params).name);
    return { model: view.name, generations: view.generationList };
  });

  app.get('/api/v1/models/:name/generations/:g', { config: OWN_MODEL }, async (request) => {
    const { name, g } = parseQuery(genParams, request.params);
    return registry.generation(name, g);
  });

  app.delete('/api/v1/models/:name/generations/:g', async (request) => {
    const { name, g } = parseQuery(genParams, request.params);
    return registry.deleteGeneration(name, g, request.principal.actor);
  });

  app.get('/api/v1/models/:name/generations/:g/weights', { config: OWN_MODEL }, async (request, reply) => {
    const { name, g } = parseQuery(genParams, request.params);
    return sendFile(registry, reply, name, g, parseQuery(weightsQuery, request.query).file);
  });

  // Files by path, so a TF.js client loading …/files/model.json finds its shards next to it.
  app.get(
    '/api/v1/models/:name/generations/:g/files/:file',
    { config: OWN_MODEL },
    async (request, reply) => {
      const { name, g, file } = parseQuery(fileParams, request.params);
      return sendFile(registry, reply, name, g, file);
    },
  );

  app.post('/api/v1/models/:name/generations/:g/stage', async (request) => {
    const { name, g } = parseQuery(genParams, request.params);
    const body = parseBody(stageBody, request.body ?? {});
    return registry.setStage(name, g, body.stage, body.reason, request.principal.actor);
  });

  app.get('/api/v1/models/:name/history', async (request) => {
    const { name } = parseQuery(nameParams, request.params);
    const q = parseQuery(historyQuery, request.query);
    if (q.at === undefined) return registry.history(name, q);
    const at = /^\d+$/.test(q.at) ? Number(q.at) : Date.parse(q.at);
    if (!Number.isFinite(at)) {
      throw new InvalidError('at: must be an ISO time or milliseconds since the epoch', {
        details: { field: 'at' },
      });
    }
    return registry.stagesAt(name, at);
  });

  app.post('/api/v1/models/:name/prune', async (request) => {
    const { name } = parseQuery(nameParams, request.params);
    return registry.prune(
      name,
      parseBody(pruneBody, request.body ?? undefined)?.keepLast,
      request.principal.actor,
    );
  });

  app.get('/api/v1/models/:name/diff', async (request) => {
    const { name } = parseQuery(nameParams, request.params);
    const q = parseQuery(diffQuery, request.query);
    return registry.diff(name, q.a, q.b, q.tolerance === undefined ? {} : { tolerance: q.tolerance });
  });
}
