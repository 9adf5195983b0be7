/** Validation of the names and options callers pass to a Store, shared by every backend. */
import { InvalidError } from '../errors/index.js';

const NAME = /^[A-Za-z0-9._:@/-]{1,512}$/;
const PREFIX = /^[A-Za-z0-9._:@/-]{0,512}$/;
/** Index members live inside LMDB keys (max ~1.9 KB with the index name), so they are capped. */
const MAX_MEMBER_BYTES = 1024;

/** Keys, index names and log names: 1–512 chars of `[A-Za-z0-9._:@/-]`, no `..`, not starting with `/`. */
export function checkName(name: unknown, field = 'key'): string {
  if (typeof name !== 'string' || !NAME.test(name) || name.includes('..') || name.startsWith('/')) {
    throw new InvalidError(
      `invalid ${field} ${JSON.stringify(name)}: use 1–512 chars of [A-Za-z0-9._:@/-], no "..", no leading "/"`,
      {
        details: { [field]: name },
      },
    );
  }
  return name;
}

/** A list/subscribe prefix: the name alphabet, possibly empty. */
export function checkPrefix(prefix: unknown): string {
  if (typeof prefix !== 'string' || !PREFIX.test(prefix)) {
    throw new InvalidError(`invalid prefix ${JSON.stringify(prefix)}`, { details: { prefix } });
  }
  return prefix;
}

export function checkMember(member: unknown): string {
  if (typeof member !== 'string' || member.length === 0 || Buffer.byteLength(member) > MAX_MEMBER_BYTES) {
    throw new InvalidError(`invalid index member: a non-empty string of at most ${MAX_MEMBER_BYTES} bytes`, {
      details: { member },
    });
  }
  return member;
}

export function checkScore(score: unknown): number {
  if (typeof score !== 'number' || Number.isNaN(score)) {
    throw new InvalidError('index score must be a number (±Infinity allowed, NaN not)', {
      details: { score },
    });
  }
  return score === 0 ? 0 : score; // -0 and 0 are one score
}

/** A count or position option: undefined, or a non-negative safe integer. */
export function checkCount(value: unknown, field: string): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) {
    throw new InvalidError(`${field} must be a non-negative integer`, { details: { [field]: value } });
  }
  return value;
}

/** A CAS precondition: undefined, or a non-negative safe integer version. */
export function checkVersion(value: unknown): number | undefined {
  return checkCount(value, 'ifVersion');
}

export function checkDigest(digest: unknown): string {
  if (typeof digest !== 'string' || !/^[0-9a-f]{64}$/.test(digest)) {
    throw new InvalidError(`invalid blob digest ${JSON.stringify(digest)}: 64 lowercase hex chars`, {
      details: { digest },
    });
  }
  return digest;
}
