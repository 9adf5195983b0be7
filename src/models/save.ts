/**
 * Saving a generation: the weights blob is committed first, owned by the upload (content-addressed, so identical
 * weights are stored once), then one transaction allocates the next number on the model (CAS), writes the
 * immutable generation record, hands the blob from the upload to the generation, appends the `generation.saved`
 * event and the history entry (and, given an idempotency key, records it; a save whose key is recorded answers
 * that generation and makes none).
 */
import { InvalidError } from '../errors/index.js';
import type { TxOp } from '../store/index.js';
import { type RegistryContext, retrying } from './context.js';
import { priorSave, recordSave } from './idempotency.js';
import { generationKey, generationOwner, historyLog, modelKey } from './keys.js';
import { checkFormat, checkIdempotencyKey, checkModelName, checkModelType } from './names.js';
import type { StoredHistory } from './repo.js';
import type { Generation, GenerationMeta, ModelRecord } from './types.js';
import type { StoredWeights, WeightsUpload } from './upload.js';

const invalid = (field: string, message: string, value?: unknown) =>
  new InvalidError(`${field}: ${message}`, { details: { field, value } });

/** Checks what can be checked before the weights are committed, so a refused save stores nothing. */
async function precheck(
  ctx: RegistryContext,
  name: string,
  meta: GenerationMeta,
  key?: string,
): Promise<void> {
  checkModelName(name, 'model');
  if (key !== undefined) checkIdempotencyKey(key);
  checkFormat(meta.format);
  if (meta.type !== undefined) checkModelType(meta.type);
  if (meta.tensors !== undefined && meta.format !== 'raw-float32') {
    throw invalid('tensors', 'only raw-float32 generations take a tensor index in the metadata');
  }
  const existing = await ctx.repo.store.get<ModelRecord>(modelKey(name));
  if (!existing && meta.type === undefined) throw invalid('type', `required: model ${name} is new`);
  if (existing) checkAgainst(existing.value, meta);
}

function checkAgainst(model: ModelRecord, meta: GenerationMeta): void {
  if (meta.type !== undefined && meta.type !== model.type) {
    throw invalid('type', `model ${model.name} is a ${model.type}, not a ${meta.type}`, meta.type);
  }
  if (meta.parent !== undefined && meta.parent > model.latest) {
    throw invalid('parent', `model ${model.name} has no generation ${meta.parent}`, meta.parent);
  }
}

export async function saveGeneration(
  ctx: RegistryContext,
  name: string,
  meta: GenerationMeta,
  upload: WeightsUpload,
  key?: string,
  actor?: string,
): Promise<Saved> {
  let stored: StoredWeights;
  try {
    await precheck(ctx, name, meta, key);
    if (meta.tensors && !upload.files.some((f) => f.name.toLowerCase().endsWith('.json'))) {
      await upload.addFile('index.json', Buffer.from(JSON.stringify({ tensors: meta.tensors })));
    }
    stored = await upload.finish(meta.format);
  } catch (err) {
    await upload.abort();
    throw err;
  }
  let saved: Saved | undefined;
  try {
    saved = await retrying(() => commitGeneration(ctx, name, meta, stored, upload, key, actor));
    return saved;
  } finally {
    // A made generation took the blob over in its commit; otherwise the upload lets go of it here.
    if (!saved?.created) await releaseUpload(ctx, stored.weights.digest, upload);
  }
}

/** What a save's commit needs of its upload: the owner it drops and the record it deletes with it. */
type UploadRefs = Pick<WeightsUpload, 'hold'>;

export interface Saved {
  model: ModelRecord;
  generation: Generation;
  created: boolean;
}

async function commitGeneration(
  ctx: RegistryContext,
  name: string,
  meta: GenerationMeta,
  stored: StoredWeights,
  upload: UploadRefs,
  key: string | undefined,
  actor: string | undefined,
): Promise<Saved> {
  const { repo, events } = ctx;
  const now = ctx.now();
  const doc = await repo.store.get<ModelRecord>(modelKey(name));
  const prior = key === undefined ? undefined : await priorSave(repo, name, key, stored.weights.digest);
  // A recorded key implies its generation, and so its model, exists.
  if (prior) return { model: doc!.value, generation: prior, created: false };
  const current: ModelRecord = doc?.value ?? {
    name,
    type: meta.type!,
    createdAt: now,
    updatedAt: now,
    latest: 0,
    generations: [],
    production: null,
    staging: null,
    archived: [],
    everStaged: [],
    keepLast: null,
  };
  checkAgainst(current, meta);
  const number = current.latest + 1;
  const generation: Generation = {
    model: name,
    type: current.type,
    generation: number,
    format: meta.format,
    weights: stored.weights,
    files: stored.files,
    primary: stored.primary,
    metrics: meta.metrics ?? {},
    sessionId: meta.sessionId ?? null,
    dataset: meta.dataset ?? null,
    parent: meta.parent ?? null,
    createdAt: now,
    ...(key === undefined ? {} : { idempotencyKey: key }),
  };
  const model: ModelRecord = {
    ...current,
    updatedAt: now,
    latest: number,
    generations: [...current.generations, number],
  };
  const { digest } = stored.weights;
  const history: StoredHistory = { time: now, generation: number, from: null, to: 'draft' };
  if (actor !== undefined) history.actor = actor;
  const ops: TxOp[] = [
    { op: 'put', key: modelKey(name), value: model, ifVersion: doc?.version ?? 0 },
    // Written once: version 0 means "must not exist", so a generation is never overwritten.
    { op: 'put', key: generationKey(name, number), value: generation, ifVersion: 0 },
    // The generation owns the weights before the upload lets go, so they are never unowned.
    { op: 'ref', digest, owner: generationOwner(name, number) },
    ...upload.hold.releaseOps(digest),
    events.op({
      type: 'generation.saved',
      model: name,
      ...(generation.sessionId ? { sessionId: generation.sessionId } : {}),
      data: { model: name, generation: number, metrics: generation.metrics },
      time: now,
    }),
    { op: 'append', log: historyLog(name), value: history },
  ];
  if (key !== undefined) ops.push(recordSave(name, key, number, digest));
  await repo.store.commit(ops);
  return { model, generation, created: true };
}

/** Drops an upload's reference after a failed or answered save; weights nobody else owns are freed with it. */
async function releaseUpload(ctx: RegistryContext, digest: string, upload: UploadRefs): Promise<void> {
  try {
    await ctx.repo.store.commit(upload.hold.releaseOps(digest));
  } catch (err) {
    ctx.logger?.warn({ err, digest }, 'could not free a weights blob');
  }
}
