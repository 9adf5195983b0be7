/**
 * Inference endpoints: TF-Serving REST under /v1 and KServe v2 (Open Inference Protocol) under /v2, plus the
 * per-model serving settings under /api/v1/serving. Each answer carries `x-swarmlab-generation`: the generation
 * that answered. Inference POSTs count as reads for auth (they change nothing).
 */
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { InvalidError, isSwarmlabError, NotFoundError } from '../../errors/index.js';
import {
  checkOutputs,
  formatV1,
  formatV2,
  type ModelServer,
  metadataV1,
  metadataV2,
  type Protocol,
  parseV1,
  parseV2,
  type Selector,
  statusV1,
} from '../../serving/index.js';
import { statusOf } from '../errors.js';
import { parseQuery } from './query.js';

const GENERATION_HEADER = 'x-swarmlab-generation';
const BINARY_HEADER = 'inference-header-content-length';
/** The raw tensor bytes of binary-extension requests, by request (the JSON part is the parsed body). */
const binaryBodies = new WeakMap<object, Buffer>();
const inference = { config: { readOnly: true } };

/** `NAME:predict` (or `3:predict`, `staging:predict`): the part before the verb, or 404 for another verb. */
function beforeVerb(segment: string, verb: string): string {
  const at = segment.lastIndexOf(':');
  if (at < 0 || segment.slice(at + 1) !== verb) {
    throw new NotFoundError(`no route for ${segment}: only :${verb} is served`, {
      details: { path: segment },
    });
  }
  return segment.slice(0, at);
}

function versionSelector(v: string): Selector {
  if (!/^\d+$/.test(v) || Number(v) < 1) {
    throw new NotFoundError(`version ${v}: versions are generation numbers`, { details: { version: v } });
  }
  return { kind: 'version', generation: Number(v) };
}

function labelSelector(label: string): Selector {
  if (label !== 'production' && label !== 'staging') {
    throw new NotFoundError(`label ${label}: the labels are production and staging`, { details: { label } });
  }
  return { kind: 'label', stage: label };
}

const configBody = z.strictObject({
  batching: z.boolean().optional(),
  maxBatchSize: z.number().int().min(1).max(65536).optional(),
  maxDelayMs: z.number().min(0).max(10_000).optional(),
  maxInflight: z.number().int().min(1).max(64).optional(),
  canaryPercent: z.number().min(0).max(100).optional(),
});

export async function registerServingRoutes(app: FastifyInstance, serving: ModelServer): Promise<void> {
  // Own scope: inference bodies (16 KB of numbers per image) skip secure-json-parse's prototype-key scan, which
  // costs as much as the runtime call. Safe here: the body is only read field by field, never merged or spread.
  await app.register(async (scope) => {
    scope.removeContentTypeParser('application/json');
    // KServe's binary tensor extension: a JSON header of Inference-Header-Content-Length bytes, then raw tensors.
    scope.addContentTypeParser(
      ['application/json', 'application/octet-stream'],
      { parseAs: 'buffer' },
      (request, body, done) => {
        const buf = body as Buffer;
        const header = request.headers[BINARY_HEADER];
        try {
          if (header === undefined) return done(null, JSON.parse(buf.toString('utf8')));
          const length = Number(header);
          if (!Number.isInteger(length) || length < 0 || length > buf.length) {
            throw new InvalidError(
              `${BINARY_HEADER}: ${String(header)} is not a length within the ${buf.length}-byte body`,
              {
                details: { header: BINARY_HEADER },
              },
            );
          }
          const json = JSON.parse(buf.toString('utf8', 0, length)) as unknown;
          binaryBodies.set(request.raw, buf.subarray(length));
          done(null, json);
        } catch (err) {
          done(
            err instanceof InvalidError
              ? err
              : new InvalidError(`body: not valid JSON (${(err as Error).message})`, {
                  details: { field: 'body' },
                }),
          );
        }
      },
    );
    await registerScoped(scope, serving);
  });
}

async function registerScoped(app: FastifyInstance, serving: ModelServer): Promise<void> {
  /** Runs one inference, recording its metrics whatever happens. */
  const timed = async <T>(
    reply: FastifyReply,
    model: string,
    protocol: Protocol,
    run: () => Promise<{ body: T; generation: number }>,
  ): Promise<T> => {
    const start = process.hrtime.bigint();
    let generation: number | undefined;
    let code = 200;
    try {
      const r = await run();
      generation = r.generation;
      reply.header(GENERATION_HEADER, String(r.generation));
      return r.body;
    } catch (err) {
      code = isSwarmlabError(err) ? statusOf(err.code) : 500;
      throw err;
    } finally {
      serving.metrics.observe(
        model,
        generation,
        protocol,
        code,
        Number(process.hrtime.bigint() - start) / 1e9,
      );
    }
  };

  // --- TF-Serving REST ---------------------------------------------------------------------------------------
  const predictV1 = (reply: FastifyReply, name: string, selector: Selector, body: unknown) =>
    timed(reply, name, 'v1', async () => {
      const req = parseV1(body);
      const r = await serving.infer(name, selector, req.build);
      return { body: formatV1(req.format, r.signature, r.outputs), generation: r.generation };
    });

  app.post<{ Params: { verb: string } }>('/v1/models/:verb', inference, async (request, reply) => {
    const name = beforeVerb(request.params.verb, 'predict');
    return predictV1(reply, name, { kind: 'default' }, request.body);
  });
  app.post<{ Params: { name: string; verb: string } }>(
    '/v1/models/:name/versions/:verb',
    inference,
    async (request, reply) =>
      predictV1(
        reply,
        request.params.name,
        versionSelector(beforeVerb(request.params.verb, 'predict')),
        request.body,
      ),
  );
  app.post<{ Params: { name: string; verb: string } }>(
    '/v1/models/:name/labels/:verb',
    inference,
    async (request, reply) =>
      predictV1(
        reply,
        request.params.name,
        labelSelector(beforeVerb(request.params.verb, 'predict')),
        request.body,
      ),
  );

  const statusRoute = async (name: string, selector: Selector) =>
    statusV1(await serving.status(name, selector));
  const metadataRoute = async (reply: FastifyReply, name: string, selector: Selector) => {
    const { generation, signature } = await serving.signature(name, selector);
    reply.header(GENERATION_HEADER, String(generation));
    return metadataV1(name, generation, signature);
  };
  app.get<{ Params: { name: string } }>('/v1/models/:name', async (request) =>
    statusRoute(request.params.name, { kind: 'label', stage: 'production' }),
  );
  app.get<{ Params: { name: string; v: string } }>('/v1/models/:name/versions/:v', async (request) =>
    statusRoute(request.params.name, versionSelector(request.params.v)),
  );
  app.get<{ Params: { name: string; l: string } }>('/v1/models/:name/labels/:l', async (request) =>
    statusRoute(request.params.name, labelSelector(request.params.l)),
  );
  app.get<{ Params: { name: string } }>('/v1/models/:name/metadata', async (request, reply) =>
    metadataRoute(reply, request.params.name, { kind: 'default' }),
  );
  app.get<{ Params: { name: string; v: string } }>(
    '/v1/models/:name/versions/:v/metadata',
    async (request, reply) => metadataRoute(reply, request.params.name, versionSelector(request.params.v)),
  );
  app.get<{ Params: { name: string; l: string } }>(
    '/v1/models/:name/labels/:l/metadata',
    async (request, reply) => metadataRoute(reply, request.params.name, labelSelector(request.params.l)),
  );

  // --- KServe v2 / Open Inference Protocol --------------------------------------------------------------------
  app.get('/v2', async () => ({ name: 'swarmlab', version: '2', extensions: [] }));
  app.get('/v2/health/live', async () => ({ live: true }));
  app.get('/v2/health/ready', async (_request, reply) => {
    if (!serving.ready) reply.status(503);
    return { ready: serving.ready };
  });

  const metadata2 = async (reply: FastifyReply, name: string, selector: Selector) => {
    const { generation, signature } = await serving.signature(name, selector);
    const status = await serving.status(name, { kind: 'version', generation });
    const runtime = status.generations.find((g) => g.generation === generation)?.runtime;
    reply.header(GENERATION_HEADER, String(generation));
    return metadataV2(name, generation, runtime === 'tfjs' ? 'tensorflow_js' : 'onnxruntime_onnx', signature);
  };
  /** 200 `{ready: false, reason}` for a model that failed to load (as the protocol has it); 404 when unknown. */
  const ready2 = async (name: string, selector: Selector) => {
    const status = await serving.status(name, selector);
    const want =
      selector.kind === 'version'
        ? selector.generation
        : selector.kind === 'label'
          ? status[selector.stage]
          : status.production;
    const g = status.generations.find((x) => x.generation === want);
    return {
      name,
      ...(want !== null ? { version: String(want) } : {}),
      ready: g?.state === 'ready',
      ...(g?.error ? { reason: g.error } : {}),
    };
  };
  app.get<{ Params: { name: string } }>('/v2/models/:name', async (request, reply) =>
    metadata2(reply, request.params.name, { kind: 'default' }),
  );
  app.get<{ Params: { name: string; v: string } }>('/v2/models/:name/versions/:v', async (request, reply) =>
    metadata2(reply, request.params.name, versionSelector(request.params.v)),
  );
  app.get<{ Params: { name: string } }>('/v2/models/:name/ready', async (request) =>
    ready2(request.params.name, { kind: 'label', stage: 'production' }),
  );
  app.get<{ Params: { name: string; v: string } }>('/v2/models/:name/versions/:v/ready', async (request) =>
    ready2(request.params.name, versionSelector(request.params.v)),
  );

  const infer2 = (reply: FastifyReply, name: string, selector: Selector, request: FastifyRequest) =>
    timed(reply, name, 'v2', async () => {
      const req = parseV2(request.body, binaryBodies.get(request.raw));
      const r = await serving.infer(name, selector, (sig) => {
        checkOutputs(req.outputs, sig);
        return req.build(sig);
      });
      const { json, binary } = formatV2(name, r.generation, req, r.signature, r.outputs);
      if (binary.length === 0) return { body: json as unknown, generation: r.generation };
      const head = Buffer.from(JSON.stringify(json));
      reply.header(BINARY_HEADER, String(head.length)).type('application/octet-stream');
      return { body: Buffer.concat([head, ...binary]) as unknown, generation: r.generation };
    });
  app.post<{ Params: { name: string } }>('/v2/models/:name/infer', inference, async (request, reply) =>
    infer2(reply, request.params.name, { kind: 'default' }, request),
  );
  app.post<{ Params: { name: string; v: string } }>(
    '/v2/models/:name/versions/:v/infer',
    inference,
    async (request, reply) => infer2(reply, request.params.name, versionSelector(request.params.v), request),
  );

  // --- settings -----------------------------------------------------------------------------------------------
  app.get('/api/v1/serving', async () => ({ models: await serving.list() }));
  app.get<{ Params: { name: string } }>('/api/v1/serving/:name', async (request) =>
    serving.status(request.params.name),
  );
  app.put<{ Params: { name: string } }>('/api/v1/serving/:name', async (request) => {
    const patch = parseQuery(configBody, request.body);
    await serving.model(request.params.name);
    return { model: request.params.name, config: await serving.configure(request.params.name, patch) };
  });
}
