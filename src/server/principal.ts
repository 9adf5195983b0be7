/**
 * Who a request comes from: the manager's own token (admin), an API token (its role), a session's token (scoped to
 * that session), or nobody (from loopback, or a read where tokens are not required). Its `actor` is what stage
 * changes, deletes and token changes record.
 */
import type { Role, SessionRecord, WhoAmI } from '../api/index.js';

/** What a session's token may touch beyond reading datasets: its session, the models it names (none named: any). */
export interface SessionScope {
  sessionId: string;
  models: string[];
}

export interface Principal {
  role: Role | 'session';
  actor: string;
  /** The API token's name. */
  name?: string;
  session?: SessionScope;
}

export const MANAGER: Principal = { role: 'admin', actor: 'manager' };

/** No token: full rights where writes need none (loopback), reads only where they do. */
export const anonymous = (writesNeedToken: boolean): Principal =>
  writesNeedToken ? { role: 'read', actor: 'anonymous' } : { role: 'admin', actor: 'loopback' };

export const tokenPrincipal = (name: string, role: Role): Principal => ({
  role,
  actor: `token:${name}`,
  name,
});

/**
 * The principal of an active session's token. Only the submitted `models` confine its saves: an accept rule naming
 * a model says which saves it judges, not which the job may make.
 */
export function sessionPrincipal(record: SessionRecord): Principal {
  return {
    role: 'session',
    actor: `session:${record.id}`,
    session: {
      sessionId: record.id,
      models: record.models ?? [],
    },
  };
}

export function whoAmI(p: Principal): WhoAmI {
  return {
    role: p.role,
    actor: p.actor,
    ...(p.name === undefined ? {} : { name: p.name }),
    ...(p.session ? { sessionId: p.session.sessionId } : {}),
  };
}
