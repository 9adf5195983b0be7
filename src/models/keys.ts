/** Store keys of the registry, in one place. Model docs and generation docs use separate prefixes so a list of one never sees the other. */

export const modelKey = (name: string): string => `models/${name}`;
export const MODEL_PREFIX = 'models/';

/** Zero-padded so a key-ordered list is ordered by generation number. */
export const generationKey = (name: string, generation: number): string =>
  `modelgen/${name}/${String(generation).padStart(12, '0')}`;
export const generationPrefix = (name: string): string => `modelgen/${name}/`;

/**
 * Owners of weights blobs: a generation holds its weights (shared when two upload identical bytes); an upload
 * holds what it stored until its save commits or fails.
 */
export const generationOwner = (name: string, generation: number): string =>
  `generation:${name}/${generation}`;
export const uploadOwner = (id: string): string => `weights-upload:${id}`;

/** The per-model audit history of stage changes (an append-only log). */
export const historyLog = (name: string): string => `models/${name}/history`;

/**
 * Which generation a save's `Idempotency-Key` made. Not under `models/`, whose list is the model list; the key is
 * base64url-encoded because store keys refuse `..`, which an idempotency key may hold.
 */
export const idempotencyKey = (name: string, key: string): string =>
  `modelidem/${name}/${Buffer.from(key).toString('base64url')}`;
