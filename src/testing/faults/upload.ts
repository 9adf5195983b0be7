/**
 * Dataset uploads (.npy pushes of 64 KiB–4 MiB, so some span several shards) with the kill landing mid-body,
 * mid-import or mid-commit. After the restart every acknowledged version reads back byte for byte, and every
 * listed version is one that was sent, whole.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { Manifest } from '../../api/index.js';
import { writeNpyHeader } from '../../datasets/formats/index.js';
import { DatasetsClient } from '../../sdk/index.js';
import { between, floats, sha256 } from './payload.js';
import { repeat, type Scenario, type ScenarioContext } from './scenario.js';

const NAME = 'fault-uploads';
const WIDTH = 256;

interface Acked {
  version: number;
  digest: string;
  sha: string;
}

export function uploadScenario(): Scenario {
  const acked = new Map<number, Acked>();
  /** sha256 of every file sent (acknowledged or not): a listed version must be one of them. */
  const sent = new Set<string>();
  /** Versions to export in full at the next check (the newest ones; all of them at the end). */
  let fresh = new Set<number>();
  let op = 0;
  const datasets = (ctx: ScenarioContext) => new DatasetsClient(ctx.manager.client);

  /** Exports a version as .npy and compares its bytes; the export reads every shard. */
  async function readsBack(ctx: ScenarioContext, m: Manifest, what: string): Promise<void> {
    const res = await datasets(ctx).export(NAME, m.version, { format: 'npy' });
    const sha = sha256(new Uint8Array(await res.arrayBuffer()));
    const want = acked.get(m.version)?.sha;
    if (want !== undefined && sha !== want) ctx.violate('losses', `${what}: exported bytes differ`);
    else if (!sent.has(sha)) ctx.violate('partial', `${what}: exported bytes are no file that was sent`);
  }

  async function check(ctx: ScenarioContext, all: boolean): Promise<void> {
    const versions = new Set(
      (await datasets(ctx).list()).datasets.find((d) => d.name === NAME)?.versions.map((v) => v.version),
    );
    for (const a of acked.values())
      if (!versions.has(a.version)) ctx.violate('losses', `version ${a.version} acknowledged, now missing`);
    for (const version of versions ?? []) {
      const what = `version ${version}`;
      const m = await datasets(ctx)
        .manifest(NAME, version)
        .catch(() => undefined);
      if (!m) {
        ctx.violate('partial', `${what}: listed, manifest unreadable`);
        continue;
      }
      const a = acked.get(version);
      if (a && (m.digest !== a.digest || m.source.files[0]?.sha256 !== a.sha))
        ctx.violate('losses', `${what}: manifest differs from the acknowledged one`);
      if (!a && !sent.has(m.source.files[0]?.sha256 ?? ''))
        ctx.violate('partial', `${what}: a version nobody sent`);
      if (all || fresh.has(version) || !a) await readsBack(ctx, m, what);
    }
    fresh = new Set();
  }

  return {
    windowMs: 2000,
    async drive(ctx, stop) {
      const dir = join(ctx.manager.dir, 'fault-uploads');
      await mkdir(dir, { recursive: true });
      await repeat(stop, async () => {
        const rows = between(ctx.random, 64, 4096);
        const body = Buffer.concat([
          writeNpyHeader('float32', [rows, WIDTH]),
          new Uint8Array(floats(ctx.random, rows * WIDTH).buffer),
        ]);
        const file = join(dir, `op-${op++}.npy`);
        await writeFile(file, body);
        const sha = sha256(body);
        sent.add(sha);
        const r = await datasets(ctx).push(NAME, [file], { format: 'npy' });
        acked.set(r.version, { version: r.version, digest: r.digest, sha });
        fresh.add(r.version);
        ctx.acknowledge();
      });
    },
    check: (ctx) => check(ctx, false),
    finish: (ctx) => check(ctx, true),
  };
}
