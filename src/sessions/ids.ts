/** Session ids that sort by creation time: `s-` + base36 ms + random tail. */
import { randomBytes } from 'node:crypto';

const ALPHABET = '0123456789abcdefghijklmnopqrstuvwxyz';

export function newSessionId(now = Date.now()): string {
  const bytes = randomBytes(6);
  let tail = '';
  for (const b of bytes) tail += ALPHABET[b % 36];
  return `s-${now.toString(36).padStart(9, '0')}${tail}`;
}

/** Ids are store-key safe and short; anything else is not a session id. */
export const isSessionId = (s: string): boolean => /^s-[0-9a-z]{15}$/.test(s);

/**
 * What the executor tracks one rank of a gang by (its process, cgroup, container name, captured output): the
 * session id with the rank appended, so executors need not know about gangs.
 */
export const rankKey = (id: string, rank: number): string => `${id}.${rank}`;
