/** The one place that maps error codes to HTTP statuses and shapes `{error: {code, message, details}}`. */
import type { FastifyError, FastifyInstance } from 'fastify';
import { type ErrorCode, isSwarmlabError } from '../errors/index.js';

const STATUS: Record<ErrorCode, number> = {
  INVALID: 400,
  UNAUTHORIZED: 401,
  FORBIDDEN: 403,
  NOT_FOUND: 404,
  CONFLICT: 409,
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

/** Installs the handlers that turn thrown errors (ours, fastify's, anything else) into JSON errors. */
export function installErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | Error, request, reply) => {
    if (isSwarmlabError(err)) {
      const status = statusOf(err.code);
      if (status >= 500) request.log.error({ err }, err.message);
      return reply.status(status).send(errorBody(err.code, err.message, err.details));
    }
    const fe = err as FastifyError;
    if (fe.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply
        .status(413)
        .send(errorBody('TOO_LARGE', 'request body is larger than the configured limit'));
    }
    if (fe.validation || fe.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE' || fe.code?.startsWith('FST_ERR_CTP')) {
      return reply.status(fe.statusCode ?? 400).send(errorBody('INVALID', fe.message));
    }
    if (fe.statusCode && fe.statusCode >= 400 && fe.statusCode < 500) {
      return reply.status(fe.statusCode).send(errorBody('INVALID', fe.message));
    }
    request.log.error({ err }, 'unhandled error');
    return reply.status(500).send(errorBody('INTERNAL', 'internal error; see the manager log'));
  });
  app.setNotFoundHandler((request, reply) =>
    reply.status(404).send(errorBody('NOT_FOUND', `no route ${request.method} ${request.url.split('?')[0]}`)),
  );
}
