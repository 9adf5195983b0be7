/**
 * Model registry client: save a generation (lineage from the session's environment), load one by stage or
 * number, and everything the CLI shows (tree, history, stages, diffs). HTTP only; types come from src/api.
 */
import { createHash } from 'node:crypto';
import { createWriteStream, openAsBlob } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import {
  type GenerationDiff,
  type GenerationMeta,
  type GenerationView,
  type HistoryPage,
  type ModelRecord,
  type ModelTree,
  type ModelView,
  type PruneResult,
  paths,
  type StageResult,
  type StagesAt,
  type TargetStage,
  type WeightFormat,
} from '../api/index.js';
import { CorruptError, InvalidError } from '../errors/index.js';
import { type ClientOptions, SwarmlabClient } from './client.js';

export interface SaveGenerationOptions {
  model: string;
  /** Required for a model's first generation, e.g. `classifier/mlp`. */
  type?: string;
  format: WeightFormat;
  /** File name → bytes or a path on disk (streamed, never loaded whole). */
  files?: Record<string, Uint8Array | string>;
  /** A one-file generation's bytes (named `file`, or model.onnx / model.safetensors / weights.bin). */
  buffer?: Uint8Array;
  file?: string;
  metrics?: Record<string, number>;
  parent?: number;
  /** raw-float32 with `buffer`: the tensor index, stored as index.json. */
  tensors?: GenerationMeta['tensors'];
  /** Default `SWARMLAB_SESSION_ID`; the manager then fills the dataset from the session record. */
  sessionId?: string;
  /** Default `SWARMLAB_DATASET`. */
  dataset?: string;
  /** Sent as `Idempotency-Key`: a repeat of this save (same key, same weights) answers the generation it made. */
  idempotencyKey?: string;
}

/** Which generation to load: a number, or the holder of a stage (default production). */
export interface GenerationSelector {
  generation?: number;
  stage?: 'production' | 'staging' | 'latest';
}

export interface LoadedGeneration {
  generation: GenerationView;
  files: Record<string, Uint8Array>;
  /** The primary file's bytes (model.json, the .onnx, the .safetensors, the raw data). */
  buffer: Uint8Array;
}

const enc = (s: string) => encodeURIComponent(s);
/** A one-file generation's name when none is given (as the manager names raw uploads). */
const DEFAULT_FILE: Record<WeightFormat, string> = {
  onnx: 'model.onnx',
  safetensors: 'model.safetensors',
  'raw-float32': 'weights.bin',
  pytorch: 'model.pt',
  tfjs: 'model.json',
};
const refOf = (sel: GenerationSelector): string => String(sel.generation ?? sel.stage ?? 'production');

/** A multipart/form-data body: the metadata JSON, then each file; files from disk stay on disk until sent. */
async function multipartBody(meta: GenerationMeta, files: Record<string, Uint8Array | string>) {
  const boundary = `swarmlab-${crypto.randomUUID()}`;
  const parts: Array<string | Blob | Uint8Array> = [
    `--${boundary}\r\ncontent-disposition: form-data; name="metadata"\r\ncontent-type: application/json\r\n\r\n`,
    JSON.stringify(meta),
    '\r\n',
  ];
  for (const [name, content] of Object.entries(files)) {
    if (/["\r\n]/.test(name))
      throw new InvalidError(`files: bad file name ${JSON.stringify(name)}`, { details: { field: 'files' } });
    parts.push(
      `--${boundary}\r\ncontent-disposition: form-data; name="file"; filename="${name}"\r\ncontent-type: application/octet-stream\r\n\r\n`,
      typeof content === 'string' ? await openAsBlob(content) : new Uint8Array(content),
      '\r\n',
    );
  }
  parts.push(`--${boundary}--\r\n`);
  return { body: new Blob(parts), contentType: `multipart/form-data; boundary=${boundary}` };
}

export class ModelsClient {
  readonly client: SwarmlabClient;
  readonly #env: NodeJS.ProcessEnv;

  constructor(client: SwarmlabClient | ClientOptions = {}, env: NodeJS.ProcessEnv = process.env) {
    this.client = client instanceof SwarmlabClient ? client : new SwarmlabClient(client, env);
    this.#env = env;
  }

  /** Uploads a new generation; returns it with its number. Lineage defaults come from the environment. */
  async saveGeneration(options: SaveGenerationOptions): Promise<GenerationView> {
    if ((options.files === undefined) === (options.buffer === undefined)) {
      throw new InvalidError('saveGeneration: give either files or buffer', { details: { field: 'files' } });
    }
    const meta: GenerationMeta = { format: options.format };
    const sessionId = options.sessionId ?? (this.#env.SWARMLAB_SESSION_ID || undefined);
    const dataset = options.dataset ?? (this.#env.SWARMLAB_DATASET || undefined);
    if (options.type !== undefined) meta.type = options.type;
    if (options.metrics !== undefined) meta.metrics = options.metrics;
    if (options.parent !== undefined) meta.parent = options.parent;
    if (options.tensors !== undefined) meta.tensors = options.tensors;
    if (sessionId !== undefined) meta.sessionId = sessionId;
    if (dataset !== undefined) meta.dataset = dataset;
    // Always multipart: metadata in a header would hit header size limits (a raw-float32 index can be large).
    const files = options.files ?? { [options.file ?? DEFAULT_FILE[options.format]]: options.buffer! };
    const { body, contentType } = await multipartBody(meta, files);
    return this.client.json<GenerationView>('POST', paths.generations(options.model), {
      raw: body,
      contentType,
      ...(options.idempotencyKey === undefined
        ? {}
        : { headers: { 'idempotency-key': options.idempotencyKey } }),
    });
  }

  /** Downloads a generation's files into memory, checking each one's sha256. */
  async loadGeneration(name: string, selector: GenerationSelector = {}): Promise<LoadedGeneration> {
    const generation = await this.generation(name, refOf(selector));
    const files: Record<string, Uint8Array> = {};
    for (const f of generation.files) {
      const res = await this.client.fetch('GET', this.#filePath(generation, f.name));
      const bytes = new Uint8Array(await res.arrayBuffer());
      if (createHash('sha256').update(bytes).digest('hex') !== f.sha256) {
        throw new CorruptError(`${f.name}: downloaded bytes do not match their sha256`, {
          details: { file: f.name },
        });
      }
      files[f.name] = bytes;
    }
    return { generation, files, buffer: files[generation.primary]! };
  }

  /** Downloads a generation's files into `dir` (streamed); returns the generation and the written paths. */
  async pullGeneration(
    name: string,
    selector: GenerationSelector,
    dir: string,
  ): Promise<{ generation: GenerationView; paths: string[] }> {
    const generation = await this.generation(name, refOf(selector));
    await mkdir(dir, { recursive: true });
    const paths: string[] = [];
    for (const f of generation.files) {
      const res = await this.client.fetch('GET', this.#filePath(generation, f.name));
      const path = join(dir, f.name);
      const hash = createHash('sha256');
      const source = Readable.fromWeb(res.body as import('node:stream/web').ReadableStream<Uint8Array>);
      source.on('data', (chunk: Uint8Array) => hash.update(chunk));
      await pipeline(source, createWriteStream(path));
      if (hash.digest('hex') !== f.sha256) {
        throw new CorruptError(`${f.name}: downloaded bytes do not match their sha256`, {
          details: { file: f.name },
        });
      }
      paths.push(path);
    }
    return { generation, paths };
  }

  tree(type?: string): Promise<ModelTree> {
    return this.client.json('GET', paths.models, { query: { type } });
  }

  model(name: string): Promise<ModelView> {
    return this.client.json('GET', paths.model(name));
  }

  generation(name: string, ref: number | string): Promise<GenerationView> {
    return this.client.json('GET', paths.generation(name, ref));
  }

  setStage(name: string, ref: number | string, stage: TargetStage, reason?: string): Promise<StageResult> {
    return this.client.json('POST', `${paths.generation(name, ref)}/stage`, {
      body: reason === undefined ? { stage } : { stage, reason },
    });
  }

  history(name: string, options: { after?: number; limit?: number } = {}): Promise<HistoryPage> {
    return this.client.json('GET', `${paths.model(name)}/history`, { query: options });
  }

  /** Which generations held production and staging at `at` (a Date, ISO string or ms). */
  stagesAt(name: string, at: Date | string | number): Promise<StagesAt> {
    const value = at instanceof Date ? at.getTime() : at;
    return this.client.json('GET', `${paths.model(name)}/history`, { query: { at: value } });
  }

  diff(name: string, a: number | string, b: number | string, tolerance?: number): Promise<GenerationDiff> {
    return this.client.json('GET', `${paths.model(name)}/diff`, { query: { a, b, tolerance } });
  }

  setRetention(name: string, keepLast: number | null): Promise<ModelRecord> {
    return this.client.json('PATCH', paths.model(name), { body: { keepLast } });
  }

  prune(name: string, keepLast?: number): Promise<PruneResult> {
    return this.client.json('POST', `${paths.model(name)}/prune`, {
      body: keepLast === undefined ? {} : { keepLast },
    });
  }

  deleteGeneration(name: string, ref: number | string): Promise<PruneResult> {
    return this.client.json('DELETE', paths.generation(name, ref));
  }

  #filePath(g: GenerationView, file: string): string {
    return `${paths.generation(g.model, g.generation)}/files/${enc(file)}`;
  }
}

/** `saveGeneration` with a client from the environment (SWARMLAB_URL, SWARMLAB_TOKEN, SWARMLAB_SESSION_ID…). */
export function saveGeneration(
  options: SaveGenerationOptions,
  client?: ClientOptions,
): Promise<GenerationView> {
  return new ModelsClient(client).saveGeneration(options);
}

/** `loadGeneration` with a client from the environment. */
export function loadGeneration(
  name: string,
  selector: GenerationSelector = {},
  client?: ClientOptions,
): Promise<LoadedGeneration> {
  return new ModelsClient(client).loadGeneration(name, selector);
}
