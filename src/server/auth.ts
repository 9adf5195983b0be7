/**
 * Bearer-token auth. Beyond loopback every write needs the token (reads too when `requireToken`); on loopback
 * the token is optional unless `requireToken` is set. Compared in constant time.
 */
import { timingSafeEqual } from 'node:crypto';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { UnauthorizedError } from '../errors/index.js';

export interface AuthOptions {
  token: string | undefined;
  /** Require the token for reads as well as writes. */
  requireForReads: boolean;
  /** Require the token for writes (true whenever the manager listens beyond loopback). */
  requireForWrites: boolean;
  /** Paths that never need a token (health checks, metrics scrapes). */
  publicPaths?: string[];
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A route anyone may read without the token (the dashboard's static files). */
    public?: boolean;
  }
}

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/** The token a request presents: `Authorization: Bearer …`, or `?token=` (browsers cannot set WebSocket headers). */
export function presentedToken(request: Pick<FastifyRequest, 'headers' | 'query'>): string | undefined {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice(7).trim();
  const q = (request.query as Record<string, unknown> | undefined)?.token;
  return typeof q === 'string' ? q : undefined;
}

export function tokenMatches(expected: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Why a request may not proceed (a wrong token, or none where one is needed), or undefined when it may. */
export function refusal(
  options: AuthOptions,
  isRead: boolean,
  given: string | undefined,
): UnauthorizedError | undefined {
  if (!options.token) return undefined;
  if (given !== undefined && !tokenMatches(options.token, given)) {
    return new UnauthorizedError('the API token is wrong', { details: { header: 'authorization' } });
  }
  const required = isRead ? options.requireForReads : options.requireForWrites || options.requireForReads;
  if (required && given === undefined) {
    return new UnauthorizedError('this manager needs an API token: pass "Authorization: Bearer <token>"', {
      details: { header: 'authorization' },
    });
  }
  return undefined;
}

/**
 * A route hook for what jobs send (reports, params they add): always needs the manager token, even on loopback
 * where other writes may go without it — every job has it (SWARMLAB_TOKEN), so it costs a job nothing.
 */
export function requireManagerToken(token: string, what: string) {
  return async (request: FastifyRequest): Promise<void> => {
    if (!tokenMatches(token, presentedToken(request))) {
      throw new UnauthorizedError(`${what} need the manager token (SWARMLAB_TOKEN)`, {
        details: { header: 'authorization' },
      });
    }
  };
}

export function installAuth(app: FastifyInstance, options: AuthOptions): void {
  const publicPaths = new Set(options.publicPaths ?? ['/healthz', '/metrics']);
  // A callback hook, not an async one: it runs on every request, and a promise per request is measurable.
  app.addHook('onRequest', (request, _reply, done) => {
    if (!options.token) return done();
    const path = request.url.split('?')[0]!;
    // Routes may declare themselves public (`config: { public: true }`): the dashboard's static files.
    if (publicPaths.has(path) || request.routeOptions.config?.public === true) return done();
    done(refusal(options, READ_METHODS.has(request.method), presentedToken(request)));
  });
}
