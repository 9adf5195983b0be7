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
    /** A POST that changes nothing (inference): it needs the token only where reads do. */
    readOnly?: boolean;
  }
}

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function presentedToken(request: FastifyRequest): string | undefined {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice(7).trim();
  // Browsers cannot set headers on a WebSocket: accept ?token= there.
  const q = (request.query as Record<string, unknown> | undefined)?.token;
  return typeof q === 'string' ? q : undefined;
}

export function tokenMatches(expected: string, given: string | undefined): boolean {
  if (given === undefined) return false;
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

export function installAuth(app: FastifyInstance, options: AuthOptions): void {
  const publicPaths = new Set(options.publicPaths ?? ['/healthz', '/metrics']);
  // A callback hook, not an async one: it runs on every request, inference included, and a promise per
  // request is measurable there.
  app.addHook('onRequest', (request, _reply, done) => {
    if (!options.token) return done();
    const path = request.url.split('?')[0]!;
    // Routes may declare themselves public (`config: { public: true }`): the dashboard's static files.
    if (publicPaths.has(path) || request.routeOptions.config?.public === true) return done();
    const isRead = READ_METHODS.has(request.method) || request.routeOptions.config?.readOnly === true;
    const required = isRead ? options.requireForReads : options.requireForWrites || options.requireForReads;
    const given = presentedToken(request);
    if (given !== undefined && !tokenMatches(options.token, given)) {
      return done(new UnauthorizedError('the API token is wrong', { details: { header: 'authorization' } }));
    }
    if (required && given === undefined) {
      return done(
        new UnauthorizedError('this manager needs an API token: pass "Authorization: Bearer <token>"', {
          details: { header: 'authorization' },
        }),
      );
    }
    done();
  });
}
