/**
 * Pushes Debian's Fashion-MNIST (package dataset-fashion-mnist, /usr/share/datasets/fashion-mnist) as the
 * datasets `fashion-train` (60,000 rows) and `fashion-test` (t10k, 10,000 rows), unless a version exists.
 * Run alone: `node --import tsx examples/fashion-mnist/push.ts` (SWARMLAB_URL / SWARMLAB_TOKEN as for the CLI).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type ClientOptions, listDatasets, pushDataset, SwarmlabClient } from '../../src/sdk/index.js';

export const FASHION_DIR = process.env.FASHION_MNIST_DIR || '/usr/share/datasets/fashion-mnist';

const SETS = [
  { name: 'fashion-train', prefix: 'train' },
  { name: 'fashion-test', prefix: 't10k' },
];

export interface PushedSet {
  name: string;
  version: number;
  rows: number;
  pushed: boolean;
}

/** Pushes what is missing; returns each dataset's latest version. */
export async function pushFashion(options: ClientOptions = {}, log = console.log): Promise<PushedSet[]> {
  const { datasets } = await listDatasets(new SwarmlabClient(options));
  const out: PushedSet[] = [];
  for (const set of SETS) {
    const existing = datasets.find((d) => d.name === set.name && d.versions.length > 0);
    if (existing) {
      const v = existing.versions.find((x) => x.version === existing.latest) ?? existing.versions.at(-1)!;
      out.push({ name: set.name, version: existing.latest, rows: v.rows, pushed: false });
      log(`dataset ${set.name}@${existing.latest} already there (${v.rows} rows)`);
      continue;
    }
    const files = [`${set.prefix}-images-idx3-ubyte.gz`, `${set.prefix}-labels-idx1-ubyte.gz`].map((f) =>
      join(FASHION_DIR, f),
    );
    const missing = files.filter((f) => !existsSync(f));
    if (missing.length > 0) {
      throw new Error(`${missing.join(', ')} not found: install Debian's dataset-fashion-mnist package`);
    }
    const t0 = Date.now();
    const r = await pushDataset(set.name, files, { ...options, format: 'idx' });
    out.push({ name: set.name, version: r.version, rows: r.rows, pushed: true });
    log(`dataset ${set.name}@${r.version} pushed: ${r.rows} rows in ${Date.now() - t0} ms`);
  }
  return out;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  await pushFashion();
}
