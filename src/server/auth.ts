/**
 * Bearer tokens and roles, checked in one hook. The token names a principal (principal.ts); each route needs a role
 * (`config.role`; default `read` for GET/HEAD, `write` otherwise) and may let session tokens in for their own
 * session, dataset or models (`config.sessionScope`). A token is needed beyond loopback for every write (reads too
 * with `requireForReads`); on loopback only with `requireForReads`, and always on routes jobs call (`config.job`).
 */
import type { FastifyInstance, FastifyRequest } from 'fastify';
import type { Role } from '../api/index.js';
import { ForbiddenError, type SwarmlabError, UnauthorizedError } from '../errors/index.js';
import { sameSecret } from '../tokens/index.js';
import { anonymous, MANAGER, type Principal, type SessionScope } from './principal.js';

/**
 * Which routes a session token may use: its session's (`:id`), its models' (`:name`), or `any` (whoami, dataset
 * reads: a job reads its dataset and often others, a validation set, and datasets are inputs, not results).
 */
export type SessionAccess = 'session' | 'model' | 'any';

export interface AuthOptions {
  /** The manager's own token: admin. Without one, nothing is checked. */
  token: string | undefined;
  /** Require a token for reads as well as writes. */
  requireForReads: boolean;
  /** Require a token for writes (true whenever the manager listens beyond loopback). */
  requireForWrites: boolean;
  /** Paths that never need a token (health checks, metrics scrapes). */
  publicPaths?: string[];
  /** Tokens other than the manager's (API and session tokens); without it the manager's is the only one. */
  resolve?: (given: string) => Promise<Principal | undefined>;
}

declare module 'fastify' {
  interface FastifyContextConfig {
    /** A route anyone may read without the token (the dashboard's static files). */
    public?: boolean;
    /** The least role the route needs (default `read` for GET/HEAD, `write` otherwise). */
    role?: Role;
    /** Lets session tokens in, for their own session or models, or any (see SessionAccess). */
    sessionScope?: SessionAccess;
    /** What jobs send (reports, params, the channel): a token is needed even on loopback. */
    job?: boolean;
  }
  interface FastifyRequest {
    /** Who sent the request; set by the auth hook before any handler runs. */
    principal: Principal;
  }
}

const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);
const RANK: Record<Role, number> = { read: 0, write: 1, admin: 2 };

/** The token a request presents: `Authorization: Bearer …`, or `?token=` (browsers cannot set WebSocket headers). */
export function presentedToken(request: Pick<FastifyRequest, 'headers' | 'query'>): string | undefined {
  const header = request.headers.authorization;
  if (header?.startsWith('Bearer ')) return header.slice(7).trim();
  const q = (request.query as Record<string, unknown> | undefined)?.token;
  return typeof q === 'string' ? q : undefined;
}

const unauthorized = (message: string) =>
  new UnauthorizedError(message, { details: { header: 'authorization' } });

/**
 * Who presents `given` (undefined: no token), or the error refusing them where a token is `needed` or `given` is
 * unknown. A promise only for tokens other than the manager's.
 */
export function identify(
  options: AuthOptions,
  given: string | undefined,
  needed: boolean,
): Principal | SwarmlabError | Promise<Principal | SwarmlabError> {
  if (!options.token) return anonymous(false);
  if (given === undefined) {
    return needed
      ? unauthorized('this manager needs an API token: pass "Authorization: Bearer <token>"')
      : anonymous(options.requireForWrites);
  }
  if (sameSecret(options.token, given)) return MANAGER;
  const wrong = unauthorized('the API token is unknown or revoked');
  return options.resolve ? options.resolve(given).then((p) => p ?? wrong) : wrong;
}

export interface RouteNeeds {
  role: Role;
  sessionScope?: SessionAccess | undefined;
  params?: unknown;
}

function inScope(scope: SessionScope, access: SessionAccess, params: unknown): boolean {
  const p = (params ?? {}) as Record<string, string | undefined>;
  switch (access) {
    case 'session':
      return p.id === scope.sessionId;
    case 'any':
      return true;
    case 'model':
      return p.name !== undefined && (scope.models.length === 0 || scope.models.includes(p.name));
  }
}

/** Why `who` may not use a route that needs `needs`, or undefined when they may. */
export function forbidden(who: Principal, needs: RouteNeeds): SwarmlabError | undefined {
  if (who.session) {
    if (needs.sessionScope && inScope(who.session, needs.sessionScope, needs.params)) return undefined;
    return new ForbiddenError(
      `a session token may only report for its session (${who.session.sessionId}), read its dataset and save the models it names`,
      { details: { header: 'authorization', role: 'session' } },
    );
  }
  if (who.role !== 'session' && RANK[who.role] >= RANK[needs.role]) return undefined;
  if (who.actor === 'anonymous') return unauthorized(`this needs a token with the ${needs.role} role`);
  return new ForbiddenError(`this needs a token with the ${needs.role} role; yours has ${who.role}`, {
    details: { header: 'authorization', role: who.role, needed: needs.role },
  });
}

export function installAuth(app: FastifyInstance, options: AuthOptions): void {
  const publicPaths = new Set(options.publicPaths ?? ['/healthz', '/metrics']);
  app.decorateRequest('principal', null as unknown as Principal);
  // A callback hook, not an async one: it runs on every request, and a promise per request is measurable. Only
  // tokens other than the manager's are looked up asynchronously.
  app.addHook('onRequest', (request, _reply, done) => {
    const config = request.routeOptions.config;
    const path = request.url.split('?')[0]!;
    // Routes may declare themselves public (`config: { public: true }`): the dashboard's static files.
    if (publicPaths.has(path) || config?.public === true) {
      request.principal = anonymous(options.requireForWrites);
      return done();
    }
    const isRead = READ_METHODS.has(request.method);
    const needed =
      config?.job === true ||
      (isRead ? options.requireForReads : options.requireForWrites || options.requireForReads);
    const needs: RouteNeeds = {
      role: config?.role ?? (isRead ? 'read' : 'write'),
      sessionScope: config?.sessionScope,
      params: request.params,
    };
    const settle = (who: Principal | SwarmlabError) => {
      if (who instanceof Error) return done(who);
      const refused = forbidden(who, needs);
      if (!refused) request.principal = who;
      done(refused);
    };
    const who = identify(options, presentedToken(request), needed);
    if (who instanceof Promise) who.then(settle, done);
    else settle(who);
  });
}
