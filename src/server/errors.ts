/** The one place that maps error codes to HTTP statuses and shapes `{error: {code, message, details}}`. */
import type { FastifyError, FastifyInstance } from 'fastify';
import { type ErrorCode, isSwarmlabError } from '../errors/index.js';

const STATUS: Record<ErrorCode, number> = {
  INVALID: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
  LEASE_HELD: 409,
  TOO_LARGE: 413,
  CORRUPT: 500,
  CONFIG: 500,
  UNAVAILABLE: 503,
};

export interface ErrorBody {
  error: { code: string; message: string; details: Record<string, unknown> };
}

export const statusOf = (code: ErrorCode): number => STATUS[code];

export function errorBody(code: string, message: string, details: Record<string, unknown> = {}): ErrorBody {
  return { error: { code, message, details } };
}

/** Status and body for a thrown error: ours by its code, anything else a 500 that points to the log. */
export function errorReply(err: unknown): { status: number; body: ErrorBody } {
  if (isSwarmlabError(err)) {
    return { status: statusOf(err.code), body: errorBody(err.code, err.message, err.details) };
  }
  return { status: 500, body: errorBody('INTERNAL', 'internal error; see the server log') };
}

/** The line a 5xx error is logged with. */
export const logLine = (err: unknown): string => (isSwarmlabError(err) ? err.message : 'unhandled error');

/** Installs the handlers that turn thrown errors (ours, fastify's, anything else) into JSON errors. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | Error, request, reply) => {
    if (!isSwarmlabError(err)) {
      const fe = err as FastifyError;
      if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
        return reply
          .status(413)
          .send(errorBody('TOO_LARGE', 'request body is larger than the configured limit'));
      }
      if (
        fe.validation ||
        fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' ||
        fe.code?.startsWith('FST_ERR_CTP')
      ) {
        // A body the parser refused (bad JSON, a forbidden __proto__ key, a media type) is at fault as a whole.
        return reply.status(fe.statusCode ?? 400).send(errorBody('INVALID', fe.message, { field: 'body' }));
      }
      if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
        return reply.status(fe.statusCode).send(errorBody('INVALID', fe.message));
      }
    }
    const { status, body } = errorReply(err);
    if (status >= 500) request.log.error({ err }, logLine(err));
    return reply.status(status).send(body);
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send(errorBody('NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`)),
  );
}
