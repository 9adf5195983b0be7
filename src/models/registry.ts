/** The model registry: type → model → immutable generations, stages with an audit history, retention and diffs. */
import type { Logger } from 'pino';
import { InvalidError, NotFoundError } from '../errors/index.js';
import type { EventArchive } from '../events/index.js';
import type { Store, TxOp } from '../store/index.js';
import { diffGenerations } from './compare.js';
import { type RegistryContext, retrying } from './context.js';
import { historyLog, modelKey } from './keys.js';
import { checkGeneration, checkModelName } from './names.js';
import { removeGenerations } from './removal.js';
import { ModelRepo, type StoredHistory, summaryOf, viewOf } from './repo.js';
import { toPrune } from './retention.js';
import { saveGeneration } from './save.js';
import { applyStage, replayStages } from './stages.js';
import type {
  GenerationDiff,
  GenerationFile,
  GenerationMeta,
  GenerationView,
  HistoryEntry,
  HistoryPage,
  ModelRecord,
  ModelTree,
  ModelView,
  PruneResult,
  SaveResult,
  StageResult,
  StagesAt,
  TargetStage,
} from './types.js';
import { WeightsUpload } from './upload.js';

export interface RegistryOptions {
  store: Store;
  events: EventArchive;
  logger?: Logger;
  /** Largest weights upload, bytes (default 4 GiB). */
  maxUploadBytes?: number;
  /** Largest generation a diff reads into memory, bytes (default 2 GiB). */
  maxDiffBytes?: number;
  now?: () => number;
}

/** A generation by number, or by what currently holds a stage, or the newest. */
export type GenerationRef = number | 'production' | 'staging' | 'latest';

export class ModelRegistry {
  readonly #ctx: RegistryContext;
  readonly #maxUpload: number;
  readonly #maxDiff: number;

  constructor(options: RegistryOptions) {
    this.#ctx = {
      repo: new ModelRepo(options.store),
      events: options.events,
      now: options.now ?? Date.now,
      logger: options.logger,
    };
    this.#maxUpload = options.maxUploadBytes ?? 4 * 1024 ** 3;
    this.#maxDiff = options.maxDiffBytes ?? 2 * 1024 ** 3;
  }

  get maxUploadBytes(): number {
    return this.#maxUpload;
  }

  /** A streaming upload to fill with `addFile` and hand to `save` (which aborts it if anything is wrong). */
  startUpload(): WeightsUpload {
    return new WeightsUpload(this.#ctx.repo.store, this.#maxUpload);
  }

  /**
   * Saves a generation; with `idempotencyKey`, a save the key already made is answered instead (`created` false).
   * `actor` (who saved it) goes in its history entry.
   */
  async save(
    name: string,
    meta: GenerationMeta,
    upload: WeightsUpload,
    options: { idempotencyKey?: string; actor?: string } = {},
  ): Promise<SaveResult> {
    const { model, generation, created } = await saveGeneration(
      this.#ctx,
      name,
      meta,
      upload,
      options.idempotencyKey,
      options.actor,
    );
    if (created && model.keepLast !== null) {
      await this.prune(name).catch((err: unknown) =>
        this.#ctx.logger?.warn({ err, model: name }, 'retention after save failed'),
      );
    }
    return { generation: viewOf(model, generation), created };
  }

  async tree(filter: { type?: string } = {}): Promise<ModelTree> {
    const byType = new Map<string, ModelTree['types'][number]>();
    for (const model of await this.#ctx.repo.models()) {
      if (filter.type !== undefined && model.type !== filter.type) continue;
      const gens = await this.#ctx.repo.generations(model.name);
      const entry = byType.get(model.type) ?? { type: model.type, models: [] };
      byType.set(model.type, entry);
      entry.models.push({
        name: model.name,
        type: model.type,
        latest: model.latest,
        production: model.production,
        staging: model.staging,
        generations: gens.map((g) => summaryOf(model, g)),
      });
    }
    return { types: [...byType.values()].sort((a, b) => a.type.localeCompare(b.type)) };
  }

  async model(name: string): Promise<ModelView> {
    const model = (await this.#ctx.repo.model(checkModelName(name))).value;
    const gens = await this.#ctx.repo.generations(name);
    return { ...model, generationList: gens.map((g) => summaryOf(model, g)) };
  }

  /** The newest generation of `name` saved by one of `sessionIds` (a session's earlier attempts), if any. */
  async latestSavedBy(name: string, sessionIds: ReadonlySet<string>): Promise<GenerationView | undefined> {
    const model = (await this.#ctx.repo.model(checkModelName(name))).value;
    const gens = await this.#ctx.repo.generations(name);
    for (let i = gens.length - 1; i >= 0; i--) {
      const g = gens[i]!;
      if (g.sessionId !== null && sessionIds.has(g.sessionId)) return viewOf(model, g);
    }
    return undefined;
  }

  /** The generation number `ref` names now. */
  async resolve(name: string, ref: GenerationRef): Promise<number> {
    const model = (await this.#ctx.repo.model(checkModelName(name))).value;
    return resolveIn(model, ref);
  }

  async generation(name: string, ref: GenerationRef): Promise<GenerationView> {
    const model = (await this.#ctx.repo.model(checkModelName(name))).value;
    const g = await this.#ctx.repo.generation(name, resolveIn(model, ref));
    return viewOf(model, g);
  }

  /** One file of a generation (its primary file by default), streamed from the weights blob. */
  async weights(
    name: string,
    ref: GenerationRef,
    fileName?: string,
  ): Promise<{ generation: GenerationView; file: GenerationFile; body: AsyncIterable<Uint8Array> }> {
    const generation = await this.generation(name, ref);
    const wanted = fileName ?? generation.primary;
    const file = generation.files.find((f) => f.name === wanted);
    if (!file) {
      throw new NotFoundError(`generation ${generation.generation} of ${name} has no file ${wanted}`, {
        details: { field: 'file', file: wanted, files: generation.files.map((f) => f.name) },
      });
    }
    const body = this.#ctx.repo.store.readBlob(generation.weights.digest, {
      start: file.offset,
      end: file.offset + file.size,
    });
    return { generation, file, body };
  }

  /**
   * Moves a generation to a stage; see stages.ts for who gets displaced. One transaction, CAS on the model. `actor`
   * (who asked: an API caller, a rule) goes in the history entries and events.
   */
  async setStage(
    name: string,
    ref: GenerationRef,
    to: TargetStage,
    reason?: string,
    actor?: string,
  ): Promise<StageResult> {
    checkModelName(name);
    const { repo, events } = this.#ctx;
    return retrying(async () => {
      const doc = await repo.model(name);
      const generation = resolveIn(doc.value, ref);
      const g = await repo.generation(name, generation);
      const { model, changes } = applyStage(doc.value, generation, to);
      if (changes.length === 0) return { generation: viewOf(model, g), changes };
      const now = this.#ctx.now();
      const ops: TxOp[] = [
        { op: 'put', key: modelKey(name), value: { ...model, updatedAt: now }, ifVersion: doc.version },
      ];
      const displaced = changes.find((c) => c.generation !== generation)?.generation;
      for (const c of changes) {
        const history: StoredHistory = { time: now, generation: c.generation, from: c.from, to: c.to };
        if (reason !== undefined) history.reason = reason;
        if (actor !== undefined) history.actor = actor;
        ops.push({ op: 'append', log: historyLog(name), value: history });
        ops.push(
          events.op({
            type: 'model.promoted',
            model: name,
            time: now,
            data: {
              model: name,
              generation: c.generation,
              stage: c.to,
              from: c.from,
              ...(c.generation === generation && displaced !== undefined ? { previous: displaced } : {}),
              ...(reason !== undefined ? { reason } : {}),
              ...(actor !== undefined ? { actor } : {}),
            },
          }),
        );
      }
      await repo.store.commit(ops);
      return { generation: viewOf(model, g), changes };
    });
  }

  async history(name: string, options: { after?: number; limit?: number } = {}): Promise<HistoryPage> {
    await this.#ctx.repo.model(checkModelName(name));
    const entries = await this.#ctx.repo.history(name, options.after ?? 0, options.limit ?? 1000);
    return { model: name, entries, next: entries.at(-1)?.cursor ?? options.after ?? 0 };
  }

  /** Which generations held production and staging at `at` (ms since the epoch). */
  async stagesAt(name: string, at: number): Promise<StagesAt> {
    await this.#ctx.repo.model(checkModelName(name));
    const entries: HistoryEntry[] = [];
    for await (const e of this.#ctx.repo.allHistory(name)) {
      if (e.time > at) break;
      entries.push(e);
    }
    return replayStages(name, entries, at);
  }

  /** Sets the retention policy (null keeps every generation) and applies it, as `actor`. */
  async setRetention(name: string, keepLast: number | null, actor?: string): Promise<ModelRecord> {
    checkModelName(name);
    if (keepLast !== null && !(Number.isSafeInteger(keepLast) && keepLast >= 0)) {
      throw new InvalidError('keepLast: must be a non-negative integer or null', {
        details: { field: 'keepLast' },
      });
    }
    await retrying(async () => {
      const doc = await this.#ctx.repo.model(name);
      const next = { ...doc.value, keepLast, updatedAt: this.#ctx.now() };
      await this.#ctx.repo.store.put(modelKey(name), next, { ifVersion: doc.version });
    });
    if (keepLast !== null) await this.prune(name, undefined, actor);
    return (await this.#ctx.repo.model(name)).value;
  }

  /**
   * Applies retention: keeps the newest `keepLast` (default: the model's policy) and every ever-staged one; `actor`
   * (who asked) goes in the `generation.deleted` events.
   */
  async prune(name: string, keepLast?: number, actor?: string): Promise<PruneResult> {
    checkModelName(name);
    return removeGenerations(
      this.#ctx,
      name,
      (model) => {
        const keep = keepLast ?? model.keepLast;
        return keep === null ? [] : toPrune(model, keep);
      },
      'retention',
      actor,
    );
  }

  /** Deletes one generation (not while it is in staging or production); frees its blob if nothing shares it. */
  async deleteGeneration(name: string, ref: GenerationRef, actor?: string): Promise<PruneResult> {
    const generation = await this.resolve(name, ref);
    return removeGenerations(
      this.#ctx,
      name,
      (model) => (model.generations.includes(generation) ? [generation] : []),
      'deleted',
      actor,
    );
  }

  async diff(
    name: string,
    a: GenerationRef,
    b: GenerationRef,
    options: { tolerance?: number } = {},
  ): Promise<GenerationDiff> {
    const [ga, gb] = [await this.generation(name, a), await this.generation(name, b)];
    return diffGenerations(this.#ctx.repo.store, ga, gb, { ...options, maxBytes: this.#maxDiff });
  }
}

function resolveIn(model: ModelRecord, ref: GenerationRef): number {
  if (ref === 'production' || ref === 'staging') {
    const g = model[ref];
    if (g === null) {
      throw new NotFoundError(`model ${model.name} has no ${ref} generation`, {
        details: { model: model.name, stage: ref },
      });
    }
    return g;
  }
  if (ref === 'latest') {
    const g = model.generations.at(-1);
    if (g === undefined)
      throw new NotFoundError(`model ${model.name} has no generations`, { details: { model: model.name } });
    return g;
  }
  return checkGeneration(ref);
}
