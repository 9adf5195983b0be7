/** The store keys a dataset lives under (names and `NAME@V` references are checked in src/api). */
const pad = (v: number): string => String(v).padStart(10, '0');

export const keys = {
  /** The dataset's head: live versions and the last number handed out. */
  head: (name: string): string => `dataset/${name}`,
  heads: 'dataset/',
  manifest: (name: string, version: number): string => `dataset-version/${name}/${pad(version)}`,
  manifests: 'dataset-version/',
  /** Blobs an unfinished import may have left behind; rolled back at start-up. */
  pending: (id: string): string => `dataset-pending/${id}`,
  pendings: 'dataset-pending/',
};

/** Blob owners: a live version holds its shards; an import holds what it wrote until it commits or rolls back. */
export const owners = {
  version: (name: string, version: number): string => `dataset:${name}@${version}`,
  import: (id: string): string => `dataset-import:${id}`,
};

export interface HeadDoc {
  name: string;
  /** Live versions, ascending. */
  versions: number[];
  /** Highest version ever allocated: numbers are never reused. */
  last: number;
}

export interface PendingDoc {
  /** 'delete' records were written before blob owners, when freeing a deleted version's shards came after it. */
  kind: 'import' | 'delete';
  name: string;
  digests: string[];
  startedAt: string;
}
