/** Reading the registry's documents: models, generations and the history log. */
import { NotFoundError } from '../errors/index.js';
import type { Doc, Store } from '../store/index.js';
import { generationKey, generationPrefix, historyLog, MODEL_PREFIX, modelKey } from './keys.js';
import { stageOf } from './stages.js';
import type { Generation, GenerationSummary, GenerationView, HistoryEntry, ModelRecord } from './types.js';

export type StoredHistory = Omit<HistoryEntry, 'cursor'>;

const PAGE = 1000;

export class ModelRepo {
  readonly store: Store;

  constructor(store: Store) {
    this.store = store;
  }

  async model(name: string): Promise<Doc<ModelRecord>> {
    const doc = await this.store.get<ModelRecord>(modelKey(name));
    if (!doc) throw new NotFoundError(`no model ${name}`, { details: { model: name } });
    return doc;
  }

  async models(): Promise<ModelRecord[]> {
    const out: ModelRecord[] = [];
    for (let after: string | undefined; ; ) {
      const page = await this.store.list<ModelRecord>(MODEL_PREFIX, { after, limit: PAGE });
      out.push(...page.map((d) => d.value));
      if (page.length < PAGE) return out;
      after = page.at(-1)!.key;
    }
  }

  async generation(name: string, generation: number): Promise<Generation> {
    const doc = await this.store.get<Generation>(generationKey(name, generation));
    if (!doc) {
      throw new NotFoundError(`model ${name} has no generation ${generation}`, {
        details: { model: name, generation },
      });
    }
    return doc.value;
  }

  async generations(name: string): Promise<Generation[]> {
    const out: Generation[] = [];
    for (let after: string | undefined; ; ) {
      const page = await this.store.list<Generation>(generationPrefix(name), { after, limit: PAGE });
      out.push(...page.map((d) => d.value));
      if (page.length < PAGE) return out;
      after = page.at(-1)!.key;
    }
  }

  async history(name: string, after = 0, limit = PAGE): Promise<HistoryEntry[]> {
    const entries = await this.store.read<StoredHistory>(historyLog(name), { after, limit });
    return entries.map((e) => ({ ...e.value, cursor: e.cursor }));
  }

  /** Every history entry, oldest first, read page by page. */
  async *allHistory(name: string): AsyncGenerator<HistoryEntry> {
    for (let after = 0; ; ) {
      const page = await this.history(name, after, PAGE);
      yield* page;
      if (page.length < PAGE) return;
      after = page.at(-1)!.cursor;
    }
  }
}

export const viewOf = (model: ModelRecord, g: Generation): GenerationView => ({
  ...g,
  stage: stageOf(model, g.generation),
});

export const summaryOf = (model: ModelRecord, g: Generation): GenerationSummary => ({
  generation: g.generation,
  stage: stageOf(model, g.generation),
  format: g.format,
  size: g.weights.size,
  metrics: g.metrics,
  createdAt: g.createdAt,
});
