/**
 * Model status and metadata under /v1 (TF-Serving REST) and /v2 (KServe v2), and the per-model serving settings
 * under /api/v1/serving. The inference POSTs themselves skip Fastify: see ../inference.ts.
 */
import type { FastifyInstance, FastifyReply } from 'fastify';
import { z } from 'zod';
import {
  type ModelServer,
  metadataV1,
  metadataV2,
  type Selector,
  type ServingConfig,
  statusV1,
} from '../../serving/index.js';
import { GENERATION_HEADER } from '../inference.js';
import { parseBody } from './query.js';
import { labelSelector, versionSelector } from './selectors.js';

const configBody = z.strictObject({
  batching: z.boolean().optional(),
  maxBatchSize: z.number().int().min(1).max(65536).optional(),
  maxDelayMs: z.number().min(0).max(10_000).optional(),
  maxInflight: z.number().int().min(1).max(64).optional(),
  canaryPercent: z.number().min(0).max(100).optional(),
});

/** Applies a settings change: to this process's server, and to its sibling processes when there are some. */
export type Configure = (model: string, patch: Partial<ServingConfig>) => Promise<ServingConfig>;

export async function registerServingRoutes(
  app: FastifyInstance,
  serving: ModelServer,
  configure: Configure = (model, patch) => serving.configure(model, patch),
): Promise<void> {
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

  // --- settings -----------------------------------------------------------------------------------------------
  app.get('/api/v1/serving', async () => ({ models: await serving.list() }));
  app.get<{ Params: { name: string } }>('/api/v1/serving/:name', async (request) =>
    serving.status(request.params.name),
  );
  app.put<{ Params: { name: string } }>('/api/v1/serving/:name', async (request) => {
    const patch = parseBody(configBody, request.body);
    await serving.model(request.params.name);
    return { model: request.params.name, config: await configure(request.params.name, patch) };
  });
}
