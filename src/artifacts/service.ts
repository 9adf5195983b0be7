/**
 * Session artifacts: files a session left in its output dir (collected when it ends) or uploaded through the SDK,
 * stored content-addressed with the session as owner, listed, read (ranges too) and forgotten with the session.
 */
import type { Artifact, ArtifactList } from '../api/index.js';
import { NotFoundError } from '../errors/index.js';
import { sessionKey } from '../sessions/index.js';
import type { BlobReadOptions, Store, TxOp } from '../store/index.js';
import { type CollectLimits, outputFiles, type Skipped } from './collect.js';
import { artifactsKey, sessionOwner } from './keys.js';
import { type ArtifactsDoc, type SaveLimits, saveArtifact } from './save.js';

export interface ArtifactOptions {
  /** Bytes one artifact may have (uploads and collected files alike). */
  maxFileBytes: number;
  /** Artifacts per session (default 1000). */
  maxFiles?: number;
  /** Bytes collected from one output dir (default 4 GiB). */
  maxOutputBytes?: number;
}

export interface ArtifactDeps {
  store: Store;
  logger: { warn(obj: object, msg: string): void; info(obj: object, msg: string): void };
}

const DEFAULTS = { maxFiles: 1000, maxOutputBytes: 4 * 1024 ** 3 };

export class ArtifactService {
  readonly #store: Store;
  readonly #logger: ArtifactDeps['logger'];
  readonly #save: SaveLimits;
  readonly #collect: CollectLimits;

  constructor(deps: ArtifactDeps, options: ArtifactOptions) {
    const o = { ...DEFAULTS, ...options } satisfies Required<ArtifactOptions>;
    this.#store = deps.store;
    this.#logger = deps.logger;
    this.#save = { maxFileBytes: o.maxFileBytes, maxFiles: o.maxFiles };
    this.#collect = { maxFiles: o.maxFiles, maxTotalBytes: o.maxOutputBytes, maxFileBytes: o.maxFileBytes };
  }

  /** Bytes one artifact may have; the upload route refuses a larger declared body before reading it. */
  get maxFileBytes(): number {
    return this.#save.maxFileBytes;
  }

  /** The session's artifacts by path; NotFoundError for an unknown session. */
  async list(sessionId: string): Promise<ArtifactList> {
    if (!(await this.#store.get(sessionKey(sessionId)))) {
      throw new NotFoundError(`no session ${sessionId}`, { details: { sessionId } });
    }
    const files = (await this.#store.get<ArtifactsDoc>(artifactsKey(sessionId)))?.value.files ?? {};
    const artifacts = Object.keys(files)
      .sort()
      .map((path): Artifact => ({ path, ...files[path]! }));
    return { sessionId, artifacts, totalBytes: artifacts.reduce((n, a) => n + a.size, 0) };
  }

  async get(sessionId: string, path: string): Promise<Artifact> {
    const file = (await this.#store.get<ArtifactsDoc>(artifactsKey(sessionId)))?.value.files[path];
    if (!file) {
      throw new NotFoundError(`session ${sessionId} has no artifact ${path}`, {
        details: { sessionId, path },
      });
    }
    return { path, ...file };
  }

  /** The artifact's bytes, or the byte range [start, end) of them. */
  read(artifact: Artifact, range: Pick<BlobReadOptions, 'start' | 'end'> = {}): AsyncIterable<Uint8Array> {
    return this.#store.readBlob(artifact.digest, range);
  }

  /** Stores a file under `path` (replacing what was there); the SDK's `artifact()` lands here. */
  save(sessionId: string, path: string, body: AsyncIterable<Uint8Array>): Promise<Artifact> {
    return saveArtifact(this.#store, this.#save, sessionId, path, body, 'upload');
  }

  /**
   * Stores every file of a session's output dir (run when the session ends, again after a crash: equal content
   * is stored once). What the limits or the path rule leave out is logged, never fatal.
   */
  async collect(sessionId: string, dir: string): Promise<number> {
    const skipped: Skipped[] = [];
    let stored = 0;
    for await (const file of outputFiles(dir, this.#collect, skipped)) {
      try {
        const body = file.handle.createReadStream({ autoClose: false });
        await saveArtifact(this.#store, this.#save, sessionId, file.path, body, 'output');
        stored++;
      } catch (err) {
        // One unreadable or grown-past-the-limit file costs only itself.
        skipped.push({ path: file.path, reason: (err as Error).message });
      } finally {
        await file.handle.close();
      }
    }
    if (skipped.length > 0) {
      this.#logger.warn(
        { sessionId, dir, skipped: skipped.length, first: skipped.slice(0, 5) },
        `output dir: ${skipped.length} file(s) not kept as artifacts (symlinks, unsafe names, over the limits, errors)`,
      );
    }
    return stored;
  }

  /** Ops that forget the session's artifacts: their listing, and the session's hold on each blob. */
  async purgeOps(sessionId: string): Promise<TxOp[]> {
    const doc = await this.#store.get<ArtifactsDoc>(artifactsKey(sessionId));
    if (!doc) return [];
    const digests = new Set(Object.values(doc.value.files).map((f) => f.digest));
    const owner = sessionOwner(sessionId);
    return [
      // Pinned: an artifact stored meanwhile makes the delete retry with it rather than orphan its blob.
      { op: 'delete', key: artifactsKey(sessionId), ifVersion: doc.version },
      ...[...digests].map((digest): TxOp => ({ op: 'unref', digest, owner })),
    ];
  }
}
