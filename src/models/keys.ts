/** Store keys of the registry, in one place. Model docs and generation docs use separate prefixes so a list of one never sees the other. */

export const modelKey = (name: string): string => `models/${name}`;
export const MODEL_PREFIX = 'models/';

/** Zero-padded so a key-ordered list is ordered by generation number. */
export const generationKey = (name: string, generation: number): string =>
  `modelgen/${name}/${String(generation).padStart(12, '0')}`;
export const generationPrefix = (name: string): string => `modelgen/${name}/`;

/** Who uses a weights blob: the digest is shared when two generations upload identical bytes. */
export const blobRefKey = (digest: string): string => `modelblob/${digest}`;

/** The per-model audit history of stage changes (an append-only log). */
export const historyLog = (name: string): string => `models/${name}/history`;

/**
 * Which generation a save's `Idempotency-Key` made. Not under `models/`, whose list is the model list; the key is
 * base64url-encoded because store keys refuse `..`, which an idempotency key may hold.
 */
export const idempotencyKey = (name: string, key: string): string =>
  `modelidem/${name}/${Buffer.from(key).toString('base64url')}`;

export const refOf = (name: string, generation: number): string => `${name}#${generation}`;
