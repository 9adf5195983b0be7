/**
 * Idempotent saves: a save carrying an `Idempotency-Key` records key → generation in the transaction that makes
 * the generation, so a retry (say, after the answer was lost) finds it and answers it instead of making another.
 */
import { ConflictError } from '../errors/index.js';
import type { TxOp } from '../store/index.js';
import { idempotencyKey } from './keys.js';
import { IDEMPOTENCY_HEADER } from './names.js';
import type { ModelRepo } from './repo.js';
import type { Generation } from './types.js';

interface IdempotentSave {
  key: string;
  generation: number;
  digest: string;
}

/** The generation an earlier save with `key` made, if any; a key reused for other weights is a conflict. */
export async function priorSave(
  repo: ModelRepo,
  name: string,
  key: string,
  digest: string,
): Promise<Generation | undefined> {
  const doc = await repo.store.get<IdempotentSave>(idempotencyKey(name, key));
  if (!doc) return undefined;
  const { generation } = doc.value;
  if (doc.value.digest !== digest) {
    throw new ConflictError(
      `${IDEMPOTENCY_HEADER}: ${key} already saved generation ${generation} of ${name}, with other weights`,
      { details: { field: IDEMPOTENCY_HEADER, value: key, model: name, generation } },
    );
  }
  return repo.generation(name, generation);
}

/** Written with the generation; version 0 makes two racing first saves with one key collide, and one retries. */
export const recordSave = (name: string, key: string, generation: number, digest: string): TxOp => ({
  op: 'put',
  key: idempotencyKey(name, key),
  value: { key, generation, digest } satisfies IdempotentSave,
  ifVersion: 0,
});

/** Removed with its generation, so the records never outgrow the generations kept. */
export const forgetSave = (name: string, key: string): TxOp => ({
  op: 'delete',
  key: idempotencyKey(name, key),
});
