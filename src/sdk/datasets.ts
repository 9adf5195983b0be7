/**
 * `openDataset`: reads a dataset version as batches of typed columns, from the manager's intake
 * stream or, on the manager's own machine with the LMDB store, straight from the store's memory map.
 * Defaults come from the session environment (SWARMLAB_DATASET, SWARMLAB_RANK, SWARMLAB_WORLD_SIZE, …).
 */
import { type DType, type Manifest, parseDatasetRef, paths } from '../api/index.js';
import { batchFrames, type FrameColumn, parseFrame, type TypedArray } from '../codec/index.js';
import { InvalidError, UnavailableError } from '../errors/index.js';
import { type ClientOptions, SwarmlabClient } from './client.js';
import { splitFrames } from './dataset-frames.js';
import { localShardLoader, localStorePath, openLocalShards } from './dataset-local.js';
import { listDatasets } from './datasets-client.js';
import { httpRequest } from './http.js';

export interface BatchColumn {
  dtype: DType;
  shape: number[];
  /** A view over the received bytes (utf8: the concatenated text bytes). */
  data: TypedArray;
  /** utf8 columns: row `i` is `data[offsets[i] .. offsets[i + 1])`. */
  offsets?: Uint32Array;
}

export interface Batch {
  /** Index of this batch within the rank's epoch. */
  index: number;
  rows: number;
  /** Columns by name. Sparse (libsvm) data comes as per-batch CSR: `indptr` (from 0), `indices`, `values`, plus `label`. */
  columns: Record<string, BatchColumn>;
}

export interface OpenDatasetOptions extends ClientOptions {
  /** Default: the version in `SWARMLAB_DATASET` (`name@v`), else the latest. */
  version?: number | 'latest';
  /** Rows per batch (default `SWARMLAB_BATCH_SIZE`, else 256); the last batch may be smaller. */
  batchSize?: number;
  /** Default `SWARMLAB_RANK`, else 0. */
  rank?: number;
  /** Default `SWARMLAB_WORLD_SIZE`, else 1. */
  worldSize?: number;
  /** Unsigned 32-bit seed; each epoch's order is a function of (seed, epoch). Default `SWARMLAB_SHUFFLE_SEED`, else the stored order. */
  shuffleSeed?: number;
  /**
   * Read shards from the store's memory map in this process: `auto` (default) when the manager says its
   * LMDB store is on this host (or `SWARMLAB_STORE_PATH` names it), `true` to require it, `false` for HTTP.
   */
  local?: 'auto' | boolean;
  signal?: AbortSignal;
}

export interface DatasetReader extends AsyncIterable<Batch> {
  readonly manifest: Manifest;
  /** `local` when batches come from the memory map, `http` when from the intake stream. */
  readonly mode: 'local' | 'http';
  /** The batches of one epoch (iterating the reader itself gives epoch 0). */
  epoch(epoch: number): AsyncIterable<Batch>;
  close(): Promise<void>;
}

const envInt = (env: NodeJS.ProcessEnv, key: string): number | undefined => {
  const v = env[key];
  if (v === undefined || v === '') return undefined;
  const n = Number(v);
  if (!Number.isSafeInteger(n) || n < 0)
    throw new InvalidError(`${key}="${v}" is not a non-negative integer`, { details: { field: key } });
  return n;
};

function toBatch(frame: Uint8Array): Batch | { end: true; rows: number } {
  const { header, columns } = parseFrame(frame);
  switch (header.t) {
    case 'batch':
      return { index: header.batch, rows: header.rows, columns: byName(columns) };
    case 'end':
      return { end: true, rows: header.rows };
    case 'error':
      throw new UnavailableError(`dataset stream failed: ${header.error.message}`, {
        details: { ...header.error.details, code: header.error.code },
      });
    default:
      throw new InvalidError(`unexpected ${header.t} frame in the dataset stream`, {
        details: { field: 'frame' },
      });
  }
}

function byName(columns: FrameColumn[]): Record<string, BatchColumn> {
  const out: Record<string, BatchColumn> = {};
  for (const c of columns)
    out[c.name] = {
      dtype: c.dtype,
      shape: c.shape,
      data: c.data,
      ...(c.offsets ? { offsets: c.offsets } : {}),
    };
  return out;
}

/** Opens a dataset version for reading; `name` defaults to `SWARMLAB_DATASET`. */
export async function openDataset(
  name?: string,
  options: OpenDatasetOptions = {},
  env: NodeJS.ProcessEnv = process.env,
): Promise<DatasetReader> {
  const ref = name ?? env.SWARMLAB_DATASET;
  if (!ref) {
    throw new InvalidError('openDataset: no dataset name given and SWARMLAB_DATASET is not set', {
      details: { field: 'name' },
    });
  }
  const parsed = parseDatasetRef(ref);
  const client = new SwarmlabClient(options, env);
  const version = options.version ?? parsed.version ?? 'latest';
  const opts = {
    batchSize: options.batchSize ?? envInt(env, 'SWARMLAB_BATCH_SIZE') ?? 256,
    rank: options.rank ?? envInt(env, 'SWARMLAB_RANK') ?? 0,
    worldSize: options.worldSize ?? envInt(env, 'SWARMLAB_WORLD_SIZE') ?? 1,
    shuffleSeed: options.shuffleSeed ?? envInt(env, 'SWARMLAB_SHUFFLE_SEED'),
  };
  const manifest = await client.json<Manifest>('GET', paths.datasetVersion(parsed.name, version), {
    signal: options.signal,
  });
  const local = options.local ?? 'auto';
  let storePath: string | undefined;
  if (local !== false) {
    const info = env.SWARMLAB_STORE_PATH ? undefined : (await listDatasets(client)).store;
    storePath = localStorePath(info, env);
    if (local === true && !storePath) {
      throw new UnavailableError(
        'local: true, but no LMDB store of this manager is reachable on this machine (set SWARMLAB_STORE_PATH)',
        {
          details: { field: 'local' },
        },
      );
    }
  }
  const reader = storePath ? await openLocalShards(storePath) : undefined;
  const query = (epoch: number) => ({ ...opts, epoch });

  async function* httpEpoch(epoch: number): AsyncGenerator<Batch> {
    const href = client.href(`${paths.datasetVersion(manifest.name, manifest.version)}/stream`, query(epoch));
    const res = await httpRequest(
      href,
      { method: 'GET', headers: client.headers(), signal: options.signal },
      client.url,
    );
    let ended = false;
    for await (const frame of splitFrames(res)) {
      const b = toBatch(frame);
      if ('end' in b) {
        ended = true;
        break;
      }
      yield b;
    }
    if (!ended)
      throw new UnavailableError('the dataset stream ended early (manager gone?)', {
        details: { url: client.url },
      });
  }

  async function* localEpoch(epoch: number): AsyncGenerator<Batch> {
    const load = localShardLoader(reader!, manifest);
    for await (const b of batchFrames(manifest, load, query(epoch))) {
      yield toBatch(b.frame) as Batch;
    }
  }

  const epoch = (e: number): AsyncIterable<Batch> => ({
    [Symbol.asyncIterator]: () => (reader ? localEpoch(e) : httpEpoch(e)),
  });
  return {
    manifest,
    mode: reader ? 'local' : 'http',
    epoch,
    [Symbol.asyncIterator]: () => epoch(0)[Symbol.asyncIterator](),
    close: async () => {
      await reader?.close();
    },
  };
}
