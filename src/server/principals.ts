/** Resolves the tokens other than the manager's own: a session's token while its session is active, an API token. */
import { isTerminal, type SessionRecord } from '../api/index.js';
import { NotFoundError } from '../errors/index.js';
import type { SessionTokens, TokenService } from '../tokens/index.js';
import { type Principal, sessionPrincipal, tokenPrincipal } from './principal.js';

export interface PrincipalSources {
  tokens: Pick<TokenService, 'lookup'>;
  sessionTokens: SessionTokens;
  sessions: { get(id: string): Promise<SessionRecord> };
}

/** A session's token is revoked by its session ending: one read of the session record tells. */
export function principalResolver(
  sources: PrincipalSources,
): (given: string) => Promise<Principal | undefined> {
  return async (given) => {
    const sessionId = sources.sessionTokens.sessionOf(given);
    if (sessionId !== undefined) {
      const record = await sources.sessions.get(sessionId).catch((err: unknown) => {
        if (err instanceof NotFoundError) return undefined;
        throw err;
      });
      return record && !isTerminal(record.state) ? sessionPrincipal(record) : undefined;
    }
    const view = await sources.tokens.lookup(given);
    return view && tokenPrincipal(view.name, view.role);
  };
}
