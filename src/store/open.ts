/** `openStore(spec)`: picks and opens a backend from a one-line spec (`lmdb` or a `redis://` URL). */
import { join } from 'node:path';
import { ConfigError } from '../errors/index.js';
import { openLmdbStore } from './lmdb/index.js';
import { openRedisStore } from './redis/index.js';
import type { Store } from './types.js';

export interface OpenStoreOptions {
  /** Data directory; the LMDB backend lives in `<dataDir>/store`. */
  dataDir: string;
  /** Blob chunk size in bytes (default 4 MiB). */
  chunkSize?: number;
}

export type StoreSpec = { backend: 'lmdb' } | { backend: 'redis'; url: string; prefix: string };

export const DEFAULT_REDIS_PREFIX = 'swarmlab:';
const USAGE = 'expected "lmdb" or "redis://host:port/db[?prefix=name:]"';

/** Parses a store spec; ConfigError with one line naming the problem otherwise. */
export function parseStoreSpec(spec: string): StoreSpec {
  const bad = (why: string) =>
    new ConfigError(`invalid store spec "${spec}": ${why}; ${USAGE}`, { details: { store: spec } });
  const trimmed = spec.trim();
  if (trimmed === 'lmdb') return { backend: 'lmdb' };
  if (!/^rediss?:\/\//.test(trimmed)) throw bad('unknown backend');
  let url: URL;
  try {
    url = new URL(trimmed);
  } catch {
    throw bad('not a URL');
  }
  if (url.hostname === '') throw bad('missing host');
  if (url.port !== '' && !/^\d+$/.test(url.port)) throw bad('bad port');
  const db = url.pathname.replace(/^\//, '');
  if (db !== '' && !/^\d{1,2}$/.test(db)) throw bad(`database "${db}" is not a number`);
  for (const name of url.searchParams.keys()) {
    if (name !== 'prefix') throw bad(`unknown parameter "${name}"`);
  }
  const prefix = url.searchParams.get('prefix') ?? DEFAULT_REDIS_PREFIX;
  if (!/^[A-Za-z0-9._:@/-]{1,128}$/.test(prefix))
    throw bad(`prefix "${prefix}" must be 1–128 chars of [A-Za-z0-9._:@/-]`);
  url.search = '';
  return { backend: 'redis', url: url.toString(), prefix };
}

export async function openStore(spec: string, options: OpenStoreOptions): Promise<Store> {
  const parsed = parseStoreSpec(spec);
  if (parsed.backend === 'lmdb') {
    return openLmdbStore({ path: join(options.dataDir, 'store'), chunkSize: options.chunkSize });
  }
  return openRedisStore({ url: parsed.url, prefix: parsed.prefix, chunkSize: options.chunkSize });
}
