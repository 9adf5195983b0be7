/** The persistence contract the domain needs: documents, ordered indexes, logs, blobs, transactions, notifications. */

/**
 * Any value MessagePack can carry: objects, arrays, strings, numbers (NaN and ±Infinity included),
 * booleans, null, Uint8Array/Buffer. Both backends encode values with msgpackr, so they round-trip alike.
 */
export type Value = unknown;

/** A stored document with its version; versions start at 1 and grow by 1 on each write. */
export interface Doc<T = Value> {
  key: string;
  value: T;
  version: number;
}

export interface PutOptions {
  /** Compare-and-set: the write only happens if the stored version equals this; 0 means "must not exist". */
  ifVersion?: number;
}

export interface ListOptions {
  /** Return keys strictly greater than this one (for paging). */
  after?: string;
  limit?: number;
}

export interface IndexEntry {
  member: string;
  score: number;
}

export interface RangeOptions {
  /** Inclusive score bounds (default: all). */
  min?: number;
  max?: number;
  /** Skip this many entries of the range. */
  offset?: number;
  limit?: number;
  /** Highest scores first. Ties are ordered by member, ascending (descending when reversed). */
  reverse?: boolean;
}

/** One appended log entry; `cursor` is a positive safe integer, strictly increasing per log, never reused. */
export interface LogEntry<T = Value> {
  cursor: number;
  value: T;
}

export interface ReadOptions {
  /** Return entries with cursor strictly greater than this (default 0: from the start). */
  after?: number;
  limit?: number;
}

export interface BlobInfo {
  /** sha256 of the whole content, lowercase hex. */
  digest: string;
  size: number;
  chunkSize: number;
  /** sha256 of each chunk, in order. */
  chunks: string[];
}

export interface BlobWriteOptions {
  /**
   * The reference the blob starts with, taken in the same step that commits it, so nothing can free the blob
   * between its upload and the transaction that references it for good (which then drops this owner).
   */
  owner?: string;
  /**
   * Called with the digest once every byte is in, right before the blob is committed: a caller that must undo
   * `owner` after a crash records the digest here (a failure here aborts the write, so nothing is committed).
   */
  beforeCommit?: (digest: string) => Promise<void>;
}

/** Streaming blob writer: write chunks of any size, then `commit` (atomic: the blob appears whole) or `abort`. */
export interface BlobWriter {
  write(bytes: Uint8Array): Promise<void>;
  /** Stores the manifest and returns it; if an identical blob exists it is reused. */
  commit(): Promise<BlobInfo>;
  /** Drops everything written so far. Idempotent. */
  abort(): Promise<void>;
}

export interface BlobReadOptions {
  /** Recompute each chunk's sha256 and throw CorruptError on mismatch (default true). */
  verify?: boolean;
  /** Byte range [start, end) of the blob to read (default: whole blob). */
  start?: number;
  end?: number;
}

/**
 * One operation of an atomic transaction. `put`/`delete` may carry a CAS precondition; if any precondition
 * fails the whole transaction throws ConflictError and nothing is written.
 */
export type TxOp =
  | { op: 'put'; key: string; value: Value; ifVersion?: number }
  | { op: 'delete'; key: string; ifVersion?: number }
  /** A precondition only: the transaction goes ahead only if doc `key` is at `version` (0: absent). */
  | { op: 'check'; key: string; version: number }
  | { op: 'indexAdd'; index: string; member: string; score: number }
  | { op: 'indexRemove'; index: string; member: string }
  | { op: 'append'; log: string; value: Value }
  /** Removes these entries of `log` (absent ones are skipped); cursors are never reused, so readers skip the gap. */
  | { op: 'deleteEntries'; log: string; cursors: number[] }
  /** Removes every entry of `log` with a cursor below `before`; `lastCursor` and later cursors do not change. */
  | { op: 'trimLog'; log: string; before: number }
  /** `owner` references blob `digest` (once, however often it is added); NotFoundError if the blob is absent. */
  | { op: 'ref'; digest: string; owner: string }
  /** `owner` stops referencing `digest`; a blob left with no owner when the transaction ends is deleted by it. */
  | { op: 'unref'; digest: string; owner: string };

export interface TxResult {
  /** New version per written key (deleted keys get 0). */
  versions: Record<string, number>;
  /** Cursors of appended entries, per log, in op order. */
  cursors: Record<string, number[]>;
  /** Digests whose blob this transaction deleted because their last owner went; absent when none. */
  freed?: string[];
}

/** A change notification; delivered in commit order per channel. */
export type Change =
  | { kind: 'put'; key: string; version: number }
  | { kind: 'delete'; key: string }
  | { kind: 'append'; log: string; cursor: number };

/** A fencing token: the version a document must be at for a fenced store's writes to go ahead. */
export interface Fence {
  key: string;
  version: number;
}

export type Unsubscribe = () => Promise<void>;

export type BackendName = 'lmdb' | 'redis';

/**
 * Keys, index names, log names and blob owners: 1–512 chars of `[A-Za-z0-9._:@/-]`, no `..`, not starting with `/`.
 * Anything else is InvalidError. Backends keep their own internal key space apart from these.
 */
export interface Store {
  readonly backend: BackendName;

  // Documents (compare-and-set versions).
  get<T = Value>(key: string): Promise<Doc<T> | undefined>;
  /** Writes and returns the new version; ConflictError if `ifVersion` does not match. */
  put(key: string, value: Value, options?: PutOptions): Promise<number>;
  /** Returns false if the key did not exist (and `ifVersion` was not given). */
  delete(key: string, options?: PutOptions): Promise<boolean>;
  /** Documents whose key starts with `prefix`, in key order. */
  list<T = Value>(prefix: string, options?: ListOptions): Promise<Doc<T>[]>;

  // Ordered indexes (score-sorted sets).
  indexAdd(index: string, member: string, score: number): Promise<void>;
  indexRemove(index: string, member: string): Promise<boolean>;
  indexScore(index: string, member: string): Promise<number | undefined>;
  indexRange(index: string, options?: RangeOptions): Promise<IndexEntry[]>;
  indexCount(index: string): Promise<number>;

  // Append-only logs.
  append(log: string, value: Value): Promise<number>;
  /** Appends several entries atomically in order; returns their cursors. */
  appendMany(log: string, values: Value[]): Promise<number[]>;
  read<T = Value>(log: string, options?: ReadOptions): Promise<LogEntry<T>[]>;
  /** Cursor of the last entry ever appended (deleted or not), 0 when none was. */
  lastCursor(log: string): Promise<number>;
  /** Removes the given entries; returns how many existed. Other entries keep their cursors. */
  deleteEntries(log: string, cursors: number[]): Promise<number>;
  /** Removes the entries with a cursor below `before`; returns how many there were. */
  trimLog(log: string, before: number): Promise<number>;

  // Immutable content-addressed blobs, chunked, freed when their last owner drops them (`ref`/`unref` ops).
  blobWriter(options?: BlobWriteOptions): BlobWriter;
  putBlob(bytes: Uint8Array, options?: BlobWriteOptions): Promise<BlobInfo>;
  statBlob(digest: string): Promise<BlobInfo | undefined>;
  /** Streams the blob's bytes chunk by chunk. NotFoundError if absent, CorruptError on a bad chunk. */
  readBlob(digest: string, options?: BlobReadOptions): AsyncIterable<Uint8Array>;
  /**
   * Calls `fn` with each chunk as a view that is only valid during the call (zero-copy on LMDB: a view of the
   * memory map). `fn` must copy what it keeps. Resolves when every chunk has been visited.
   */
  visitBlob(
    digest: string,
    fn: (chunk: Uint8Array, offset: number) => void,
    options?: BlobReadOptions,
  ): Promise<void>;
  /** Who references the blob, sorted; empty when nobody does (or it is absent). */
  blobOwners(digest: string): Promise<string[]>;
  /** Deletes the blob and its references; its chunks go when no other blob shares them. False if absent. */
  deleteBlob(digest: string): Promise<boolean>;

  // Atomic multi-key transactions.
  commit(ops: TxOp[]): Promise<TxResult>;

  /**
   * From now on every write through `commit`, `put`, `delete`, `indexAdd`/`indexRemove` and `append`/`appendMany`
   * also checks `fence` in the same transaction: ConflictError and nothing written once the fence doc has moved
   * (a successor took the lease). Blob uploads are not fenced: a blob only matters once a commit references it.
   */
  setFence(fence: Fence): void;

  // Change notifications: `pattern` is a key/log prefix; fires after the change is durable.
  subscribe(prefix: string, listener: (change: Change) => void): Promise<Unsubscribe>;

  /** Idempotent; waits for pending writes and releases every resource. */
  close(): Promise<void>;
}
