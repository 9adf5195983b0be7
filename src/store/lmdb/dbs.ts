/** The LMDB environment layout: one env, a named sub-database per kind of record. */
import type { Database, RootDatabase } from 'lmdb';

export interface Dbs {
  /** key → msgpack bytes, with LMDB's per-entry version as the document version. */
  docs: Database<Buffer, string>;
  /** `index NUL score member` → 1 byte; the order is the index order. */
  index: Database<Buffer, Buffer>;
  /** `index NUL member` → score, to find and move an entry by member. */
  members: Database<number, Buffer>;
  /** `log NUL cursor` → msgpack bytes. */
  logs: Database<Buffer, Buffer>;
  /** log → last cursor handed out. */
  seqs: Database<number, string>;
  /** digest → msgpack BlobInfo. */
  blobs: Database<Buffer, string>;
  /** chunk sha256 (32 bytes) → chunk bytes. */
  chunks: Database<Buffer, Buffer>;
  /** chunk sha256 → number of references (manifest entries plus pending uploads). */
  refs: Database<number, Buffer>;
  /** `uploadId(16) index(4)` → chunk sha256 held by an upload that has not committed. */
  pending: Database<Buffer, Buffer>;
  /** `digest/owner` → 1 byte: who references a blob; a digest's owners are one key range. */
  owners: Database<Buffer, string>;
}

export function openDbs(root: RootDatabase): Dbs {
  const binary = { encoding: 'binary', keyEncoding: 'binary' } as const;
  return {
    docs: root.openDB({ name: 'docs', encoding: 'binary', useVersions: true }),
    index: root.openDB({ name: 'index', ...binary }),
    members: root.openDB({ name: 'index-members', keyEncoding: 'binary' }),
    logs: root.openDB({ name: 'logs', ...binary }),
    seqs: root.openDB({ name: 'log-seqs' }),
    blobs: root.openDB({ name: 'blobs', encoding: 'binary' }),
    chunks: root.openDB({ name: 'chunks', ...binary }),
    refs: root.openDB({ name: 'chunk-refs', keyEncoding: 'binary' }),
    pending: root.openDB({ name: 'pending-uploads', ...binary }),
    owners: root.openDB({ name: 'blob-owners', encoding: 'binary' }),
  };
}
