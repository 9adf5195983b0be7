/** The store keys a dataset lives under (names and `NAME@V` references are checked in src/api). */
const pad = (v: number): string => String(v).padStart(10, '0');

export const keys = {
  /** The dataset's head: live versions and the last number handed out. */
  head: (name: string): string => `dataset/${name}`,
  heads: 'dataset/',
  manifest: (name: string, version: number): string => `dataset-version/${name}/${pad(version)}`,
  /** How many live versions reference a shard blob. */
  blobRefs: (digest: string): string => `dataset-blob/${digest}`,
  /** Blobs an unfinished import or delete may have left behind; rolled back at start-up. */
  pending: (id: string): string => `dataset-pending/${id}`,
  pendings: 'dataset-pending/',
};

export interface HeadDoc {
  name: string;
  /** Live versions, ascending. */
  versions: number[];
  /** Highest version ever allocated: numbers are never reused. */
  last: number;
}

export interface RefsDoc {
  refs: number;
}

export interface PendingDoc {
  kind: 'import' | 'delete';
  name: string;
  digests: string[];
  startedAt: string;
}
