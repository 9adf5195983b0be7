/** Dataset test fixtures: the Fashion-MNIST files, and views of what a test manager stored (blobs, dataset keys). */
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { storedBlobs } from '../../testing/blobs.js';
import type { TestManager } from '../../testing/manager.js';

export const FASHION = '/usr/share/datasets/fashion-mnist';
export const T10K_IMAGES = `${FASHION}/t10k-images-idx3-ubyte.gz`;
export const T10K_LABELS = `${FASHION}/t10k-labels-idx1-ubyte.gz`;

/** The raw t10k pixels (10000×28×28) and labels, straight from the IDX files. */
export function t10k(): { images: Buffer; labels: Buffer } {
  return {
    images: gunzipSync(readFileSync(T10K_IMAGES)).subarray(16),
    labels: gunzipSync(readFileSync(T10K_LABELS)).subarray(8),
  };
}

export interface DatasetTestManager extends TestManager {
  /** Digests of every stored blob. */
  blobs(): Promise<string[]>;
  /** Every dataset document key. */
  datasetKeys(): Promise<string[]>;
}

/** Adds the dataset views to a test manager (in place: `manager` keeps following restarts). */
export function withDatasetViews(t: TestManager): DatasetTestManager {
  const { prefix } = t;
  return Object.assign(t, {
    blobs: () => storedBlobs(t.dir, prefix),
    async datasetKeys() {
      const docs = await t.manager.store.list('dataset');
      return docs.map((d) => d.key);
    },
  });
}
