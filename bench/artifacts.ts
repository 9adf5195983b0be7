/**
 * Artifact throughput: a file uploaded over HTTP (`ArtifactsClient.upload`, streamed from disk into the store) and
 * downloaded back (streamed to disk, sha256 checked), beside the store's own blob write and read of the same bytes
 * in-process — what the HTTP path costs over the raw blob. Prints MB/s per run and the medians' ratios.
 * Usage: node --import tsx bench/artifacts.ts [MiB per file, default 64] [runs, default 3] [lmdb|redis]
 */
import { randomBytes } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { ArtifactsClient, SessionsClient } from '../src/sdk/index.js';
import { testManager } from '../src/testing/manager.js';
import { waitForSession } from '../src/testing/sessions.js';
import { ascending, percentile } from './percentile.js';

const MiB = 1024 * 1024;
const size = Number(process.argv[2] ?? 64) * MiB;
const runs = Number(process.argv[3] ?? 3);
const backend = process.argv[4] === 'redis' ? 'redis' : 'lmdb';

const t = await testManager({ redis: backend === 'redis' });
const rates: Record<'blob write' | 'blob read' | 'upload' | 'download', number[]> = {
  'blob write': [],
  'blob read': [],
  upload: [],
  download: [],
};
const mbps = (seconds: number) => size / 1e6 / seconds;
async function timed(fn: () => Promise<unknown>): Promise<number> {
  const start = performance.now();
  await fn();
  return (performance.now() - start) / 1000;
}

try {
  const sessions = new SessionsClient(t.client);
  const artifacts = new ArtifactsClient(t.client);
  const s = await sessions.submit({ command: [process.execPath, '-e', '0'] });
  await waitForSession(t.client, s.id, (r) => r.endedAt !== undefined, 60_000);
  const store = t.manager.store;
  const file = join(t.dir, 'bench.bin');
  const back = join(t.dir, 'back.bin');
  for (let run = 0; run < runs; run++) {
    // New bytes each run and each side: equal content would be found stored already and cost nothing.
    const raw = randomBytes(size);
    let digest = '';
    rates['blob write'].push(
      mbps(await timed(async () => ({ digest } = await store.putBlob(raw, { owner: 'bench:raw' })))),
    );
    rates['blob read'].push(
      mbps(
        await timed(async () => {
          for await (const _ of store.readBlob(digest)) {
            // read and verified, then dropped
          }
        }),
      ),
    );
    await store.commit([{ op: 'unref', digest, owner: 'bench:raw' }]);
    await writeFile(file, randomBytes(size));
    const path = `run-${run}.bin`;
    rates.upload.push(mbps(await timed(() => artifacts.upload(s.id, path, file))));
    rates.download.push(mbps(await timed(() => artifacts.download(s.id, path, back))));
    console.log(
      `run ${run + 1}/${runs}: ` +
        Object.entries(rates)
          .map(([k, v]) => `${k} ${v.at(-1)!.toFixed(0)} MB/s`)
          .join(', '),
    );
  }
  const median = (k: keyof typeof rates) => percentile(ascending([...rates[k]]), 50);
  console.log(`\n${backend}, ${size / MiB} MiB files, ${runs} run(s), medians:`);
  for (const k of Object.keys(rates) as (keyof typeof rates)[]) {
    console.log(`  ${k.padEnd(10)} ${median(k).toFixed(0)} MB/s`);
  }
  console.log(`  upload / blob write    ${(median('upload') / median('blob write')).toFixed(2)}`);
  console.log(`  download / blob read   ${(median('download') / median('blob read')).toFixed(2)}`);
  await rm(file, { force: true });
  await rm(back, { force: true });
} finally {
  await t.close();
}
