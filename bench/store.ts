/** Store benchmark: blob and document throughput on LMDB and Redis beside in-process baselines. */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Redis } from 'ioredis';
import { openLmdbStore, openRedisStore, type Store, type TxOp } from '../src/store/index.js';
import { testRedisUrl } from '../src/testing/redis.js';

const MiB = 1024 * 1024;
const BLOB_SIZE = 4 * MiB;
const BLOB_COUNT = 64;
const DOC_COUNT = 100_000;
const BATCH = 1_000;
const SEQUENTIAL_PUTS = 2_000;
const WINDOW = 1_000;

interface Row {
  backend: string;
  operation: string;
  amount: string;
  seconds: number;
  rate: number;
  unit: 'MB/s' | 'ops/s';
  baseline?: number;
}

const rows: Row[] = [];

async function time(fn: () => Promise<void> | void): Promise<number> {
  const start = performance.now();
  await fn();
  return (performance.now() - start) / 1000;
}

function record(
  backend: string,
  operation: string,
  seconds: number,
  work: { bytes?: number; ops?: number },
  baseline?: number,
) {
  const row: Row =
    work.bytes !== undefined
      ? {
          backend,
          operation,
          amount: `${work.bytes / MiB} MiB`,
          seconds,
          rate: work.bytes / 1e6 / seconds,
          unit: 'MB/s',
          baseline,
        }
      : {
          backend,
          operation,
          amount: `${work.ops} ops`,
          seconds,
          rate: work.ops! / seconds,
          unit: 'ops/s',
          baseline,
        };
  rows.push(row);
  console.error(`  ${backend.padEnd(8)} ${operation.padEnd(44)} ${fmt(row.rate)} ${row.unit}`);
}

const fmt = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : n.toFixed(1));

/** Runs `count` calls with at most WINDOW in flight, so the backend can batch them. */
async function windowed(count: number, fn: (i: number) => Promise<unknown>): Promise<void> {
  for (let i = 0; i < count; i += WINDOW) {
    const batch: Promise<unknown>[] = [];
    for (let j = i; j < Math.min(i + WINDOW, count); j++) batch.push(fn(j));
    await Promise.all(batch);
  }
}

// Inputs: distinct random blobs (no chunk dedup) and small documents.
const blobBytes = randomBytes(BLOB_SIZE * BLOB_COUNT);
const blobs = Array.from({ length: BLOB_COUNT }, (_, i) =>
  blobBytes.subarray(i * BLOB_SIZE, (i + 1) * BLOB_SIZE),
);
const TOTAL = BLOB_SIZE * BLOB_COUNT;
const doc = (i: number) => ({ id: i, name: `doc-${i}`, score: i * 0.5, tags: ['a', 'b'], ok: i % 2 === 0 });
const docKey = (i: number) => `bench/doc/${String(i).padStart(6, '0')}`;

async function baselines(): Promise<{ copy: number; mapWrite: number; mapRead: number }> {
  const target = Buffer.allocUnsafe(BLOB_SIZE);
  target.fill(0);
  for (const blob of blobs) blob.copy(target); // warm the pages once
  const copySeconds = await time(() => {
    for (const blob of blobs) blob.copy(target);
  });
  record('baseline', 'Buffer.copy of the blob set', copySeconds, { bytes: TOTAL });
  const map = new Map<string, unknown>();
  const writeSeconds = await time(() => {
    for (let i = 0; i < DOC_COUNT; i++) map.set(docKey(i), doc(i));
  });
  record('baseline', 'Map.set', writeSeconds, { ops: DOC_COUNT });
  let found = 0;
  const readSeconds = await time(() => {
    for (let i = 0; i < DOC_COUNT; i++) if (map.get(docKey(i))) found++;
  });
  if (found !== DOC_COUNT) throw new Error('baseline map lost documents');
  record('baseline', 'Map.get', readSeconds, { ops: DOC_COUNT });
  return {
    copy: TOTAL / 1e6 / copySeconds,
    mapWrite: DOC_COUNT / writeSeconds,
    mapRead: DOC_COUNT / readSeconds,
  };
}

/** lmdb-js serves values over 16 MiB as views of the memory map (smaller ones are memcpy'd into a reused buffer). */
async function benchLmdbLargeChunks(base: Awaited<ReturnType<typeof baselines>>): Promise<void> {
  const chunkSize = 32 * MiB;
  const dir = await mkdtemp(join(tmpdir(), 'swarmlab-bench-'));
  try {
    const store = await openLmdbStore({ path: dir, chunkSize });
    try {
      const digests: string[] = [];
      for (let at = 0; at < TOTAL; at += chunkSize) {
        digests.push((await store.putBlob(blobBytes.subarray(at, at + chunkSize))).digest);
      }
      const target = Buffer.allocUnsafe(chunkSize);
      for (const [label, consume] of [
        ['no-op consumer', () => undefined],
        ['consumer copies', (chunk: Uint8Array) => target.set(chunk)],
      ] as const) {
        let seen = 0;
        const seconds = await time(async () => {
          for (const digest of digests) {
            await store.visitBlob(
              digest,
              (chunk) => {
                consume(chunk);
                seen += chunk.length;
              },
              { verify: false },
            );
          }
        });
        if (seen !== TOTAL) throw new Error(`visited ${seen} of ${TOTAL} bytes`);
        record(
          'lmdb',
          `32 MiB chunks: visitBlob verify:false, ${label}`,
          seconds,
          { bytes: TOTAL },
          base.copy,
        );
      }
    } finally {
      await store.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

async function benchStore(
  name: string,
  store: Store,
  base: Awaited<ReturnType<typeof baselines>>,
): Promise<void> {
  const digests: string[] = [];
  record(
    name,
    'putBlob (write)',
    await time(async () => {
      for (const blob of blobs) digests.push((await store.putBlob(blob)).digest);
    }),
    { bytes: TOTAL },
    base.copy,
  );

  const target = Buffer.allocUnsafe(BLOB_SIZE);
  let seen = 0;
  const visit = async (
    label: string,
    verify: boolean,
    consume: (chunk: Uint8Array, offset: number) => void,
  ) => {
    seen = 0;
    const seconds = await time(async () => {
      for (const digest of digests) await store.visitBlob(digest, consume, { verify });
    });
    if (seen !== TOTAL) throw new Error(`${label}: visited ${seen} of ${TOTAL} bytes`);
    record(name, label, seconds, { bytes: TOTAL }, base.copy);
  };
  await visit('visitBlob verify:false, no-op consumer', false, (chunk) => {
    seen += chunk.length;
  });
  await visit('visitBlob verify:false, consumer copies', false, (chunk, offset) => {
    target.set(chunk, offset % BLOB_SIZE);
    seen += chunk.length;
  });
  await visit('visitBlob verify:true, no-op consumer', true, (chunk) => {
    seen += chunk.length;
  });
  for (const verify of [false, true]) {
    let bytes = 0;
    const seconds = await time(async () => {
      for (const digest of digests)
        for await (const chunk of store.readBlob(digest, { verify })) bytes += chunk.length;
    });
    if (bytes !== TOTAL) throw new Error(`readBlob read ${bytes} of ${TOTAL} bytes`);
    record(name, `readBlob verify:${verify}`, seconds, { bytes: TOTAL }, base.copy);
  }
  for (const digest of digests) await store.deleteBlob(digest);

  record(
    name,
    `commit, ${BATCH} puts per transaction`,
    await time(async () => {
      for (let i = 0; i < DOC_COUNT; i += BATCH) {
        const ops: TxOp[] = [];
        for (let j = i; j < i + BATCH; j++) ops.push({ op: 'put', key: docKey(j), value: doc(j) });
        await store.commit(ops);
      }
    }),
    { ops: DOC_COUNT },
    base.mapWrite,
  );
  record(
    name,
    `put, ${WINDOW} in flight`,
    await time(() => windowed(DOC_COUNT, (i) => store.put(docKey(i), doc(i)))),
    { ops: DOC_COUNT },
    base.mapWrite,
  );
  record(
    name,
    'put, one at a time (each awaited)',
    await time(async () => {
      for (let i = 0; i < SEQUENTIAL_PUTS; i++) await store.put(docKey(i), doc(i));
    }),
    { ops: SEQUENTIAL_PUTS },
    base.mapWrite,
  );
  let missing = 0;
  record(
    name,
    `get, ${WINDOW} in flight`,
    await time(() =>
      windowed(DOC_COUNT, async (i) => {
        if (!(await store.get(docKey(i)))) missing++;
      }),
    ),
    { ops: DOC_COUNT },
    base.mapRead,
  );
  if (missing > 0) throw new Error(`${name}: ${missing} documents missing`);
  record(
    name,
    'get, one at a time',
    await time(async () => {
      for (let i = 0; i < SEQUENTIAL_PUTS; i++) await store.get(docKey(i));
    }),
    { ops: SEQUENTIAL_PUTS },
    base.mapRead,
  );
}

function printTable(): void {
  const header = ['backend', 'operation', 'amount', 'seconds', 'rate', 'vs baseline'];
  const lines = rows.map((r) => [
    r.backend,
    r.operation,
    r.amount,
    r.seconds.toFixed(3),
    `${fmt(r.rate)} ${r.unit}`,
    r.baseline === undefined ? '' : `${(r.rate / r.baseline).toFixed(r.rate / r.baseline < 0.1 ? 4 : 2)}×`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const line = (cells: string[]) =>
    `| ${cells.map((c, i) => (i >= 3 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w, i) => (i >= 3 ? `${'-'.repeat(w + 1)}:` : '-'.repeat(w + 2))).join('|')}|`);
  for (const l of lines) console.log(line(l));
  console.log(
    `\nBlob rows compare with Buffer.copy of the same ${TOTAL / MiB} MiB; document rows with Map.set/Map.get of ${DOC_COUNT} documents.`,
  );
}

async function dropPrefix(url: string, prefix: string): Promise<void> {
  const redis = new Redis(url);
  try {
    let cursor = '0';
    do {
      const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
      if (keys.length > 0) await redis.del(...keys);
      cursor = next;
    } while (cursor !== '0');
  } finally {
    await redis.quit();
  }
}

async function main(): Promise<void> {
  console.error(`store bench: ${BLOB_COUNT} × ${BLOB_SIZE / MiB} MiB blobs, ${DOC_COUNT} documents`);
  const base = await baselines();

  const dir = await mkdtemp(join(tmpdir(), 'swarmlab-bench-'));
  try {
    const lmdb = await openLmdbStore({ path: dir });
    try {
      await benchStore('lmdb', lmdb, base);
    } finally {
      await lmdb.close();
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
  await benchLmdbLargeChunks(base);

  const url = process.env.SWARMLAB_BENCH_REDIS_URL ?? testRedisUrl();
  const prefix = `bench-${randomUUID()}:`;
  try {
    const redis = await openRedisStore({ url, prefix });
    try {
      await benchStore('redis', redis, base);
    } finally {
      await redis.close();
    }
  } catch (error) {
    console.error(`redis skipped: ${(error as Error).message}`);
  } finally {
    await dropPrefix(url, prefix).catch(() => undefined);
  }
  printTable();
}

await main();
