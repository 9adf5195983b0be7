/** Tokens on the wire: roles, the stored token as listed, the one-time secret on creation, and `whoami`. */

/** What a token may do: `read` every GET, `write` also change things, `admin` also manage tokens. */
export const ROLES = ['read', 'write', 'admin'] as const;
export type Role = (typeof ROLES)[number];

/** An API token as listed: never its secret (only a hash of it is stored). */
export interface TokenView {
  id: string;
  name: string;
  role: Role;
  createdAt: number;
  /** The actor that created it (see `WhoAmI.actor`). */
  createdBy: string;
  revokedAt?: number;
  revokedBy?: string;
}

/** `POST /api/v1/tokens` `{name, role}` answers the secret once; it cannot be read again. */
export interface CreatedToken extends TokenView {
  token: string;
}

/** `GET /api/v1/tokens`: every token, revoked ones included, oldest first. */
export interface TokenList {
  tokens: TokenView[];
}

/**
 * `GET /api/v1/whoami`: who the manager takes the caller for. `role` is `session` for a session's own token
 * (it may only report for its session, save generations of the models it names and read its dataset).
 * `actor` is what stage changes, deletes and token changes record: `manager` (the manager's own token),
 * `token:<name>`, `session:<id>`, `loopback` (no token, from this machine) or `anonymous`.
 */
export interface WhoAmI {
  role: Role | 'session';
  actor: string;
  /** The token's name, when it is an API token. */
  name?: string;
  /** The session, for a session token. */
  sessionId?: string;
}
