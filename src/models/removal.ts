/**
 * Removing generations (retention or an explicit delete) in one transaction: the model's list, the generation
 * records and the blob references; then every blob left without a reference is deleted from the store.
 */
import { ConflictError } from '../errors/index.js';
import type { TxOp } from '../store/index.js';
import { type RegistryContext, retrying } from './context.js';
import { forgetSave } from './idempotency.js';
import { blobRefKey, generationKey, modelKey, refOf } from './keys.js';
import type { BlobRefs } from './repo.js';
import { freeIfUnused } from './save.js';
import { stageOf } from './stages.js';
import type { ModelRecord, PruneResult } from './types.js';

export async function removeGenerations(
  ctx: RegistryContext,
  name: string,
  select: (model: ModelRecord) => number[],
  reason: string,
): Promise<PruneResult> {
  const { deleted, digests } = await retrying(() => commitRemoval(ctx, name, select, reason));
  const freed: string[] = [];
  for (const digest of digests) if (await freeIfUnused(ctx, digest)) freed.push(digest);
  return { model: name, deleted, freed };
}

async function commitRemoval(
  ctx: RegistryContext,
  name: string,
  select: (model: ModelRecord) => number[],
  reason: string,
): Promise<{ deleted: number[]; digests: string[] }> {
  const { repo, events } = ctx;
  const doc = await repo.model(name);
  const model = doc.value;
  const deleted = select(model);
  if (deleted.length === 0) return { deleted, digests: [] };
  for (const g of deleted) {
    const stage = stageOf(model, g);
    if (stage === 'production' || stage === 'staging') {
      throw new ConflictError(`generation ${g} of ${name} is in ${stage}; move it out first`, {
        details: { model: name, generation: g, stage },
      });
    }
  }
  const gens = await Promise.all(deleted.map((g) => repo.generation(name, g)));
  const dropped = new Map<string, string[]>();
  for (const g of gens)
    dropped.set(g.weights.digest, [...(dropped.get(g.weights.digest) ?? []), refOf(name, g.generation)]);
  const now = ctx.now();
  const gone = new Set(deleted);
  const ops: TxOp[] = [
    {
      op: 'put',
      key: modelKey(name),
      value: {
        ...model,
        updatedAt: now,
        generations: model.generations.filter((g) => !gone.has(g)),
        archived: model.archived.filter((g) => !gone.has(g)),
      } satisfies ModelRecord,
      ifVersion: doc.version,
    },
  ];
  for (const g of gens) if (g.idempotencyKey !== undefined) ops.push(forgetSave(name, g.idempotencyKey));
  for (const g of deleted) {
    ops.push({ op: 'delete', key: generationKey(name, g), ifVersion: 1 });
    ops.push(
      events.op({
        type: 'generation.deleted',
        model: name,
        data: { model: name, generation: g, reason },
        time: now,
      }),
    );
  }
  const unused: string[] = [];
  for (const [digest, refs] of dropped) {
    const current = await repo.blobRefs(digest);
    const left = (current?.value.refs ?? []).filter((r) => !refs.includes(r));
    if (!current) continue;
    if (left.length === 0) {
      ops.push({ op: 'delete', key: blobRefKey(digest), ifVersion: current.version });
      unused.push(digest);
    } else {
      ops.push({
        op: 'put',
        key: blobRefKey(digest),
        value: { digest, refs: left } satisfies BlobRefs,
        ifVersion: current.version,
      });
    }
  }
  await repo.store.commit(ops);
  return { deleted, digests: unused };
}
