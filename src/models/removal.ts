/**
 * Removing generations (retention or an explicit delete) in one transaction: the model's list, the generation
 * records and their references to their weights; weights left without an owner are freed by that transaction.
 */
import { ConflictError } from '../errors/index.js';
import type { TxOp } from '../store/index.js';
import { type RegistryContext, retrying } from './context.js';
import { forgetSave } from './idempotency.js';
import { generationKey, generationOwner, modelKey } from './keys.js';
import { stageOf } from './stages.js';
import type { ModelRecord, PruneResult } from './types.js';

export async function removeGenerations(
  ctx: RegistryContext,
  name: string,
  select: (model: ModelRecord) => number[],
  reason: string,
  actor: string | undefined,
): Promise<PruneResult> {
  return retrying(() => commitRemoval(ctx, name, select, reason, actor));
}

async function commitRemoval(
  ctx: RegistryContext,
  name: string,
  select: (model: ModelRecord) => number[],
  reason: string,
  actor: string | undefined,
): Promise<PruneResult> {
  const { repo, events } = ctx;
  const doc = await repo.model(name);
  const model = doc.value;
  const deleted = select(model);
  if (deleted.length === 0) return { model: name, deleted, freed: [] };
  for (const g of deleted) {
    const stage = stageOf(model, g);
    if (stage === 'production' || stage === 'staging') {
      throw new ConflictError(`generation ${g} of ${name} is in ${stage}; move it out first`, {
        details: { model: name, generation: g, stage },
      });
    }
  }
  const gens = await Promise.all(deleted.map((g) => repo.generation(name, g)));
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
  for (const g of gens) {
    ops.push({ op: 'delete', key: generationKey(name, g.generation), ifVersion: 1 });
    ops.push({ op: 'unref', digest: g.weights.digest, owner: generationOwner(name, g.generation) });
    ops.push(
      events.op({
        type: 'generation.deleted',
        model: name,
        data: { model: name, generation: g.generation, reason, ...(actor === undefined ? {} : { actor }) },
        time: now,
      }),
    );
  }
  const { freed = [] } = await repo.store.commit(ops);
  return { model: name, deleted, freed };
}
