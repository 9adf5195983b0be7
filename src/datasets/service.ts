/** The datasets service: atomic imports into versions of shards, reads, the intake stream, exports, deletes. */
import { createHash, randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import type { Logger } from 'pino';
import type {
  DatasetSummary,
  ExportFormat,
  Manifest,
  PushResult,
  ShardRef,
  StoreInfo,
  StreamOptions,
  VersionSummary,
} from '../api/index.js';
import { checkDatasetName, parseDatasetRef } from '../api/index.js';
import {
  type BatchSource,
  batchSegments,
  blockOfFrame,
  checkStreamOptions,
  controlFrame,
  DEFAULT_WINDOW_BYTES,
  type ErrorInfo,
  type FrameColumn,
  gather,
  parseFrame,
  type RowBlock,
  rangePicks,
} from '../codec/index.js';
import { CorruptError } from '../errors/index.js';
import type { EventArchive } from '../events/index.js';
import type { Store } from '../store/index.js';
import { exportVersion } from './export.js';
import { type ImportFile, type ImportFormat, importers } from './formats/index.js';
import { blockOfImport } from './import-block.js';
import { owners } from './keys.js';
import { previewRows } from './preview.js';
import { DatasetRepo } from './repo.js';
import { ShardCache } from './shard-cache.js';
import { planShards } from './split.js';
import { ByteBudget, track } from './tracked.js';

export interface DatasetServiceOptions {
  store: Store;
  events: EventArchive;
  logger: Logger;
  /** Largest upload in bytes, all files together. */
  bodyLimit: number;
  /** Target shard size; keep it at or under the store's chunk size (4 MiB) so a shard is one chunk. */
  shardBytes?: number;
  /** Shuffle window of the intake stream. */
  windowBytes?: number;
  /** Where the LMDB store lives, when it does: lets consumers on this host read shards from the map. */
  localStorePath?: string;
  /** Bytes of shards kept in memory between reads (default 512 MiB; 0: none). */
  cacheBytes?: number;
}

export interface PushInput {
  format: ImportFormat;
  files: ImportFile[];
  options?: Record<string, unknown>;
  createdBy?: string;
}

/** Where the store is, for the SDK's node-local fast path. */
export const DEFAULT_SHARD_BYTES = 4 * 1024 * 1024 - 64 * 1024;
const DEFAULT_CACHE_BYTES = 512 * 1024 * 1024;

const summary = (m: Manifest): VersionSummary => ({
  version: m.version,
  rows: m.rows,
  bytes: m.bytes,
  kind: m.kind,
  columns: m.columns.map(({ name, dtype, shape }) => ({ name, dtype, shape })),
  digest: m.digest,
  createdAt: m.createdAt,
});

export class DatasetService {
  readonly #store: Store;
  readonly #logger: Logger;
  readonly #repo: DatasetRepo;
  readonly #opts: Required<Omit<DatasetServiceOptions, 'localStorePath' | 'store' | 'events' | 'logger'>> &
    Pick<DatasetServiceOptions, 'localStorePath'>;
  /** Shards whose chunks were checked against their sha256 by this process; later reads skip the hash. */
  readonly #verified = new Set<string>();
  readonly #shards: ShardCache<{ rows: number; columns: FrameColumn[] }>;

  constructor(options: DatasetServiceOptions) {
    this.#store = options.store;
    this.#logger = options.logger;
    this.#repo = new DatasetRepo(options.store, options.events);
    this.#opts = {
      bodyLimit: options.bodyLimit,
      shardBytes: options.shardBytes ?? DEFAULT_SHARD_BYTES,
      windowBytes: options.windowBytes ?? DEFAULT_WINDOW_BYTES,
      localStorePath: options.localStorePath,
      cacheBytes: options.cacheBytes ?? DEFAULT_CACHE_BYTES,
    };
    this.#shards = new ShardCache(this.#opts.cacheBytes);
  }

  /** Rolls back imports and deletes a previous process left unfinished. */
  async start(): Promise<void> {
    const n = await this.#repo.recover();
    if (n > 0) this.#logger.warn({ pending: n }, 'rolled back unfinished dataset imports/deletes');
  }

  get bodyLimit(): number {
    return this.#opts.bodyLimit;
  }

  storeInfo(): StoreInfo {
    const path = this.#opts.localStorePath;
    return { backend: this.#store.backend, host: hostname(), ...(path ? { path } : {}) };
  }

  /** Imports the files as the next version: nothing is stored unless the whole import succeeds. */
  async push(name: string, input: PushInput): Promise<PushResult> {
    checkDatasetName(name);
    const budget = new ByteBudget(this.#opts.bodyLimit);
    const files = input.files.map((f) => track(f, budget));
    const importer = importers[input.format] as (s: {
      files: ImportFile[];
      options?: unknown;
    }) => ReturnType<(typeof importers)['csv']>;
    const result = await importer({ files: files.map((f) => f.file), options: input.options ?? {} });
    const { schema, block } = blockOfImport(result);
    const id = randomUUID();
    const digests: string[] = [];
    const shards: ShardRef[] = [];
    let committed = false;
    try {
      await this.#repo.startPending(id, {
        kind: 'import',
        name,
        digests,
        startedAt: new Date().toISOString(),
      });
      for (const [start, count] of planShards(block, this.#opts.shardBytes)) {
        const frame = gather(schema, rangePicks(block, start, count), { t: 'shard' }).frame;
        const digest = createHash('sha256').update(frame).digest('hex');
        digests.push(digest);
        // Recorded before the blob is written, so a crash in between is rolled back at the next start.
        await this.#repo.startPending(id, {
          kind: 'import',
          name,
          digests,
          startedAt: new Date().toISOString(),
        });
        // Owned by the import from the moment it is stored, so no concurrent delete can free it under us.
        await this.#store.putBlob(frame, { owner: owners.import(id) });
        shards.push({ digest, rowStart: start, rows: count, bytes: frame.length });
        // Hashed just now, on its way in: the first stream need not hash it again.
        this.#verified.add(digest);
      }
      const bytes = shards.reduce((a, s) => a + s.bytes, 0);
      const manifest: Omit<Manifest, 'version'> = {
        name,
        kind: result.kind,
        rows: result.rows,
        columns: schema,
        shards,
        bytes,
        digest: createHash('sha256')
          .update(JSON.stringify({ columns: schema, shards: shards.map((s) => [s.digest, s.rows]) }))
          .digest('hex'),
        source: { format: input.format, files: files.map((f) => f.summary()), options: input.options ?? {} },
        meta: result.meta,
        createdAt: new Date().toISOString(),
        createdBy: input.createdBy ?? 'unknown',
      };
      const version = await this.#repo.commitVersion(manifest, id);
      committed = true;
      return {
        name,
        version,
        rows: result.rows,
        columns: summary({ ...manifest, version }).columns,
        bytes,
        digest: manifest.digest,
      };
    } finally {
      if (!committed) {
        await this.#repo.settle(id, digests).catch((err) => {
          this.#logger.error({ err, name }, 'rolling back a failed import failed; the next start retries it');
        });
      }
    }
  }

  async list(): Promise<DatasetSummary[]> {
    const heads = (await this.#repo.heads()).filter((h) => h.versions.length > 0);
    return Promise.all(heads.map((h) => this.get(h.name)));
  }

  async get(name: string): Promise<DatasetSummary> {
    checkDatasetName(name);
    const head = await this.#repo.head(name);
    if (!head || head.versions.length === 0) await this.#repo.manifest(name); // throws NotFound
    const versions = await Promise.all(
      head!.versions.map(async (v) => summary(await this.#repo.manifest(name, v))),
    );
    return { name, versions, latest: head!.versions.at(-1)! };
  }

  /** `version` undefined: the latest. */
  manifest(name: string, version?: number): Promise<Manifest> {
    return this.#repo.manifest(checkDatasetName(name), version);
  }

  /** For sessions: `name` or `name@version` → the fixed version it means now. */
  async resolve(ref: string): Promise<{ name: string; version: number }> {
    const { name, version } = parseDatasetRef(ref);
    const m = await this.#repo.manifest(name, version);
    return { name, version: m.version };
  }

  /** Deletes a version; `actor` (who asked) goes in the `dataset.deleted` event. */
  async delete(name: string, version: number, actor?: string): Promise<void> {
    const freed = await this.#repo.deleteVersion(checkDatasetName(name), version, actor);
    this.#shards.forget(freed);
  }

  /** Rows `[offset, offset + limit)` as JSON-friendly objects, for people and the dashboard. */
  async rows(name: string, version: number | undefined, offset: number, limit: number) {
    const m = await this.manifest(name, version);
    return previewRows(m, (i) => this.#loadShard(m, i), offset, limit);
  }

  /**
   * Opens the intake stream: parameters are checked now (so errors become HTTP statuses); the
   * frames follow, then an `end` frame, or an `error` frame if reading fails midway. Each frame comes as
   * its byte segments, to be written together: stored-order values are views of the shards, not copies.
   */
  async openStream(name: string, version: number | undefined, opts: StreamOptions) {
    const m = await this.manifest(name, version);
    checkStreamOptions(m, opts);
    const load = (i: number) => this.#loadShard(m, i);
    const windowBytes = this.#opts.windowBytes;
    async function* frames(): AsyncGenerator<Uint8Array[]> {
      let rows = 0;
      let batches = 0;
      try {
        for await (const b of batchSegments(m, load, { ...opts, windowBytes })) {
          rows += b.rows;
          batches++;
          yield b.frame;
        }
      } catch (err) {
        yield [controlFrame({ t: 'error', error: errorInfo(err) })];
        return;
      }
      yield [controlFrame({ t: 'end', batches, rows })];
    }
    return { manifest: m, frames: frames() };
  }

  async openExport(name: string, version: number | undefined, format: ExportFormat, column?: string) {
    const m = await this.manifest(name, version);
    return { manifest: m, body: exportVersion(m, format, (i) => this.#loadShard(m, i), column) };
  }

  /** Shard `index` of a version as a row block, its bytes read from the store only when not cached. */
  async #loadShard(
    source: BatchSource & Pick<Manifest, 'name' | 'version' | 'bytes'>,
    index: number,
  ): Promise<RowBlock> {
    const ref = source.shards[index]!;
    // A version bigger than the cache is read past it: each pass would evict what the next one needs, and
    // holding the churn cost a 1 GiB stream two thirds of its rate (bench/intake.ts). Cached as parsed bytes,
    // not as a block: versions sharing a shard may order their columns differently.
    const { rows, columns } =
      source.bytes > this.#opts.cacheBytes
        ? await this.#readShard(source, index)
        : await this.#shards.get(ref.digest, ref.bytes, () => this.#readShard(source, index));
    return blockOfFrame(source.columns, rows, columns);
  }

  /** Reads shard `index` into one aligned buffer; its chunks are hashed the first time only. */
  async #readShard(
    source: BatchSource & Pick<Manifest, 'name' | 'version'>,
    index: number,
  ): Promise<{ rows: number; columns: FrameColumn[] }> {
    const ref = source.shards[index]!;
    const bytes = Buffer.allocUnsafeSlow(ref.bytes);
    const verify = !this.#verified.has(ref.digest);
    let size = 0;
    await this.#store.visitBlob(
      ref.digest,
      (chunk, offset) => {
        bytes.set(chunk, offset);
        size += chunk.length;
      },
      { verify },
    );
    if (size !== ref.bytes) {
      throw new CorruptError(
        `shard ${index} of ${source.name}@${source.version} has ${size} bytes, expected ${ref.bytes}`,
        {
          details: { digest: ref.digest },
        },
      );
    }
    if (verify) this.#verified.add(ref.digest);
    const { header, columns } = parseFrame(bytes);
    return { rows: header.t === 'shard' ? header.rows : 0, columns };
  }
}

export function errorInfo(err: unknown): ErrorInfo {
  const e = err as { code?: unknown; message?: string; details?: Record<string, unknown> };
  return {
    code: typeof e.code === 'string' && /^[A-Z_]+$/.test(e.code) ? e.code : 'INTERNAL',
    message: e.message ?? String(err),
    details: e.details ?? {},
  };
}
