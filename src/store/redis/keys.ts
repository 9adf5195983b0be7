/** The Redis key layout under one installation prefix; every key and the change channel live under it. */

export class RedisKeys {
  readonly prefix: string;
  /** Sorted set of every document key (score 0), so `list` can page in key order with ZRANGEBYLEX. */
  readonly docKeys: string;
  /** Hash: chunk sha256 → number of references (manifest entries plus pending uploads). */
  readonly chunkRefs: string;
  /** Sorted set: upload id → last heartbeat (server ms); stale ones are swept. */
  readonly uploads: string;
  /** Pub/sub channel carrying every change, published inside the writing script. */
  readonly changes: string;
  readonly docPrefix: string;
  readonly chunkPrefix: string;
  readonly uploadPrefix: string;

  constructor(prefix: string) {
    this.prefix = prefix;
    this.docKeys = `${prefix}meta:doc-keys`;
    this.chunkRefs = `${prefix}meta:chunk-refs`;
    this.uploads = `${prefix}meta:uploads`;
    this.changes = `${prefix}meta:changes`;
    this.docPrefix = `${prefix}doc:`;
    this.chunkPrefix = `${prefix}chunk:`;
    this.uploadPrefix = `${prefix}upload:`;
  }

  /** Hash {v: version, d: msgpack bytes}. */
  doc = (key: string): string => this.docPrefix + key;
  index = (name: string): string => `${this.prefix}idx:${name}`;
  /** Stream with ids `0-<cursor>`. */
  log = (name: string): string => `${this.prefix}log:${name}`;
  /** Counter handing out a log's cursors. */
  seq = (name: string): string => `${this.prefix}seq:${name}`;
  chunk = (sha: string): string => this.chunkPrefix + sha;
  blob = (digest: string): string => `${this.prefix}blob:${digest}`;
  /** Set of the owners referencing a blob. */
  owners = (digest: string): string => `${this.prefix}owners:${digest}`;
  /** List of chunk shas an unfinished upload holds references to. */
  upload = (id: string): string => this.uploadPrefix + id;
}
