/**
 * `/api/v1/sessions/{id}/artifacts[/{path}]`: list a session's artifacts, download one (Range honoured, served so a
 * browser previews text and images but never runs them), and upload one as a raw streamed body (manager token).
 * `/api/v1/sessions/{id}/resume[/artifacts/{path}]`: what its earlier attempts left, for the job to resume from.
 */
import { Readable } from 'node:stream';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { z } from 'zod';
import { type Artifact, checkArtifactPath } from '../../api/index.js';
import { TooLargeError } from '../../errors/index.js';
import type { Services } from '../services.js';
import { JOB_ROUTE, OWN_SESSION } from './access.js';
import { parseQuery, sessionIdParam } from './query.js';
import { parseRange } from './range.js';

const idParams = z.object({ id: sessionIdParam });
const fileParams = z.object({ id: sessionIdParam, '*': z.string() });
const resumeQuery = z.object({ model: z.string().min(1).max(200).optional() });

/** Whatever a job wrote is served inert: no sniffing, and a sandbox so an SVG or a PDF runs no script. */
function artifactHeaders(reply: FastifyReply, a: Artifact): FastifyReply {
  const name = a.path.slice(a.path.lastIndexOf('/') + 1);
  return reply
    .header('content-type', a.contentType)
    .header('etag', `"${a.digest}"`)
    .header('accept-ranges', 'bytes')
    .header('x-content-type-options', 'nosniff')
    .header(
      'content-security-policy',
      "sandbox; default-src 'none'; img-src 'self' data:; style-src 'unsafe-inline'",
    )
    .header('content-disposition', `inline; filename*=UTF-8''${encodeURIComponent(name)}`);
}

/** The artifact's bytes (or the asked range), served inert. */
function sendArtifact(
  request: FastifyRequest,
  reply: FastifyReply,
  artifacts: Services['artifacts'],
  a: Artifact,
): FastifyReply {
  artifactHeaders(reply, a);
  const range = parseRange(request.headers.range, a.size);
  if (range === 'unsatisfiable') {
    return reply.status(416).header('content-range', `bytes */${a.size}`).send();
  }
  if (range === undefined) {
    return reply.header('content-length', a.size).send(Readable.from(artifacts.read(a)));
  }
  return reply
    .status(206)
    .header('content-range', `bytes ${range.start}-${range.end - 1}/${a.size}`)
    .header('content-length', range.end - range.start)
    .send(Readable.from(artifacts.read(a, range)));
}

export async function registerArtifactRoutes(app: FastifyInstance, services: Services): Promise<void> {
  const { artifacts } = services;

  app.get('/api/v1/sessions/:id/artifacts', async (request) =>
    artifacts.list(parseQuery(idParams, request.params).id),
  );

  app.get('/api/v1/sessions/:id/artifacts/*', async (request, reply) => {
    const { id, '*': path } = parseQuery(fileParams, request.params);
    return sendArtifact(request, reply, artifacts, await artifacts.get(id, checkArtifactPath(path)));
  });

  // A next attempt's job, with its own token, reads what its earlier attempts left (see src/resume).
  app.get('/api/v1/sessions/:id/resume', { config: OWN_SESSION }, async (request) => {
    const { id } = parseQuery(idParams, request.params);
    return services.resume.info(id, parseQuery(resumeQuery, request.query).model);
  });

  app.get('/api/v1/sessions/:id/resume/artifacts/*', { config: OWN_SESSION }, async (request, reply) => {
    const { id, '*': path } = parseQuery(fileParams, request.params);
    return sendArtifact(
      request,
      reply,
      artifacts,
      await services.resume.artifact(id, checkArtifactPath(path)),
    );
  });

  // Its own scope: any content type arrives as the raw request stream, stored as it comes in.
  await app.register(async (scope) => {
    scope.removeAllContentTypeParsers();
    scope.addContentTypeParser('*', (_request, payload, done) => done(null, payload));
    // A job's upload: its session token (or the manager's), even on loopback.
    scope.put('/api/v1/sessions/:id/artifacts/*', { config: JOB_ROUTE }, async (request, reply) => {
      const { id, '*': path } = parseQuery(fileParams, request.params);
      const declared = Number(request.headers['content-length']);
      if (Number.isFinite(declared) && declared > artifacts.maxFileBytes) {
        throw new TooLargeError(
          `artifact of ${declared} bytes is larger than the ${artifacts.maxFileBytes}-byte limit (--body-limit)`,
          { details: { field: 'body', limit: artifacts.maxFileBytes, declared } },
        );
      }
      const body = (request.body as AsyncIterable<Uint8Array> | undefined) ?? request.raw;
      reply.status(201);
      return artifacts.save(id, checkArtifactPath(path), body);
    });
  });
}
