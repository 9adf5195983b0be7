/**
 * Token secrets. API tokens are 32 random bytes, kept only as their sha256 (enough for high-entropy secrets).
 * Session tokens are derived: an HMAC of the session id under a key derived from the manager's token, so none is
 * stored, the job can be given the same one again after a manager restart, and one stays valid exactly while
 * its session is active (checked against the session's state).
 */
import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

const API_PREFIX = 'swl_';
const SESSION_PREFIX = 'swls.';

export const newSecret = (): string => `${API_PREFIX}${randomBytes(32).toString('base64url')}`;

export const hashSecret = (secret: string): string => createHash('sha256').update(secret).digest('hex');

/** Equal strings, compared in constant time (for equal lengths). */
export function sameSecret(expected: string, given: string): boolean {
  const a = Buffer.from(expected);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}

/** Mints and checks session tokens under a key derived from the manager's token. */
export class SessionTokens {
  readonly #key: Buffer;

  constructor(managerToken: string) {
    this.#key = createHmac('sha256', managerToken).update('swarmlab session tokens v1').digest();
  }

  /** The token a session's job gets as SWARMLAB_TOKEN. */
  mint(sessionId: string): string {
    return `${SESSION_PREFIX}${sessionId}.${this.#mac(sessionId)}`;
  }

  /** The session a token was minted for, or undefined when `given` is not a session token of this manager. */
  sessionOf(given: string): string | undefined {
    if (!given.startsWith(SESSION_PREFIX)) return undefined;
    const dot = given.lastIndexOf('.');
    const sessionId = given.slice(SESSION_PREFIX.length, dot);
    if (sessionId === '' || dot <= SESSION_PREFIX.length) return undefined;
    return sameSecret(this.#mac(sessionId), given.slice(dot + 1)) ? sessionId : undefined;
  }

  #mac(sessionId: string): string {
    return createHmac('sha256', this.#key).update(sessionId).digest('base64url');
  }
}
