/**
 * The sweeps' real case: over the Fashion-MNIST example's learning rate × hidden size, a full grid and an ASHA
 * sweep on the same grid points, through a real manager (in this process, LMDB in a temp dir) with real trial
 * sessions (examples/fashion-mnist/train.ts, tfjs on wasm). Prints each sweep's best validation accuracy, its
 * total trial-epochs and wall time, then the ratios. Kept affordable on 2 loaded cores: a training subset
 * (FASHION_TRAIN_ROWS, default 2000; FASHION_VAL_ROWS, default 1000 held out) and 9 epochs at most per trial.
 * ASHA takes the grid's points in an order shuffled by --seed. Every trial trains with the same seed
 * (FASHION_SEED, default 42), so a config reports the same values in both sweeps: the bench checks that epoch by
 * epoch, then whether ASHA's best is the grid's best exactly (same config, same value); it exits 1 if either fails.
 * Usage: npm run bench:sweep [-- --epochs 9 --parallel 2 --seed 1]
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { pino } from 'pino';
import { pushFashion } from '../examples/fashion-mnist/push.js';
import type { SweepView } from '../src/api/sweeps.js';
import { startManager } from '../src/app.js';
import { resolveConfig } from '../src/config/index.js';
import { SwarmlabClient } from '../src/sdk/index.js';

const { values: args } = parseArgs({
  options: {
    epochs: { type: 'string', default: '9' },
    parallel: { type: 'string', default: '2' },
    seed: { type: 'string', default: '1' },
  },
});
const epochs = Number(args.epochs);
const parallelism = Number(args.parallel);
const root = resolve(import.meta.dirname, '..');
const dir = await mkdtemp(join(tmpdir(), 'swarmlab-bench-sweep-'));
const manager = await startManager(resolveConfig({ dataDir: dir, port: 0 }), {
  logger: pino({ level: 'warn' }),
});
const client = new SwarmlabClient({ url: manager.url, token: manager.token });

try {
  const options = { url: manager.url, token: manager.token };
  const train = (await pushFashion(options, () => {})).find((d) => d.name === 'fashion-train')!;
  const space = {
    lr: { kind: 'choice', values: [0.0001, 0.001, 0.01] },
    hidden: { kind: 'choice', values: [32, 128, 256] },
  };
  const session = (model: string) => ({
    command: [process.execPath, '--import', 'tsx', join(root, 'examples/fashion-mnist/train.ts')],
    cwd: root,
    dataset: `fashion-train@${train.version}`,
    resources: { cpus: 1, memoryMb: 1024 },
    env: {
      FASHION_EPOCHS: String(epochs),
      FASHION_TRAIN_ROWS: process.env.FASHION_TRAIN_ROWS ?? '2000',
      FASHION_VAL_ROWS: process.env.FASHION_VAL_ROWS ?? '1000',
      FASHION_SEED: process.env.FASHION_SEED ?? '42',
      FASHION_MODEL: model,
    },
  });
  const common = { space, metric: 'val_accuracy', mode: 'max', parallelism };
  // The best trial's last generation goes to production through an accept rule, as in the example's rules.json.
  const accept = [{ metric: 'val_accuracy', stage: 'production', atLeast: 0.5 }];

  /** A trial's config, the key that pairs a grid trial with the ASHA trial of the same params. */
  const configOf = (p: Record<string, unknown>) => `lr ${p.lr}, hidden ${p.hidden}`;

  /** Each trial's `val_accuracy` by epoch, by config. */
  async function curves(s: SweepView): Promise<Map<string, number[]>> {
    const out = new Map<string, number[]>();
    for (const t of s.trials) {
      if (!t.sessionId) continue;
      const page = await client.json<{ series: Record<string, { value: number[] }> }>(
        'GET',
        `/api/v1/sessions/${t.sessionId}/metrics`,
        { query: { names: 'val_accuracy', maxPoints: 0 } },
      );
      out.set(configOf(t.params), page.series.val_accuracy?.value ?? []);
    }
    return out;
  }

  /**
   * Whether every config reported the same values in both sweeps for the epochs both ran, bit for bit: what lets
   * the best values be compared exactly rather than within run-to-run noise.
   */
  async function sameCurves(grid: SweepView, other: SweepView): Promise<boolean> {
    const [byGrid, byOther] = await Promise.all([curves(grid), curves(other)]);
    let epochs = 0;
    const differing: string[] = [];
    for (const [config, values] of byOther) {
      const reference = byGrid.get(config) ?? [];
      const n = Math.min(values.length, reference.length);
      epochs += n;
      if (values.slice(0, n).some((v, i) => v !== reference[i])) differing.push(config);
    }
    console.log(
      `determinism: ${byOther.size} configs in both sweeps, ${epochs} epochs compared, ` +
        (differing.length === 0 ? 'all bit-identical' : `DIFFERENT for ${differing.join('; ')}`),
    );
    return differing.length === 0;
  }

  async function run(name: string, body: Record<string, unknown>): Promise<{ s: SweepView; wall: number }> {
    const t0 = Date.now();
    const created = await client.json<SweepView>('POST', '/api/v1/sweeps', { body: { name, ...body } });
    for (;;) {
      const s = await client.json<SweepView>('GET', `/api/v1/sweeps/${created.id}`);
      if (s.state !== 'running') {
        const b = s.best;
        const wall = (Date.now() - t0) / 1000;
        console.log(
          `${name}: ${s.state}; best val_accuracy ${b?.value.toFixed(4)} (lr ${b?.params.lr}, hidden ${b?.params.hidden}); ` +
            `${s.totalResource} trial-epochs over ${s.trials.length} trials; ${wall.toFixed(0)} s; ` +
            `promoted ${JSON.stringify(s.promoted ?? [])}`,
        );
        for (const t of s.trials) {
          console.log(
            `  ${name}[${t.index}] lr ${t.params.lr} hidden ${t.params.hidden}: ${t.state}, ${t.resource} epochs, ` +
              `best ${t.best?.toFixed(4)}, rung ${t.rung}${t.stoppedAtRung === undefined ? '' : `, stopped at rung ${t.stoppedAtRung}`}`,
          );
        }
        return { s, wall };
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  }

  const { s: gridRun, wall: gridWall } = await run('grid', {
    ...common,
    algorithm: 'grid',
    accept,
    session: session('sweep-grid'),
  });
  const { s: asha, wall: ashaWall } = await run('asha', {
    ...common,
    algorithm: 'asha',
    asha: { minResource: 1, maxResource: epochs, eta: 3, sample: 'shuffled-grid' },
    seed: Number(args.seed),
    accept,
    session: session('sweep-asha'),
  });
  const deterministic = await sameCurves(gridRun, asha);
  const g = gridRun.best?.value ?? Number.NaN;
  const a = asha.best?.value ?? Number.NaN;
  // On a tie the grid names its first best trial; ASHA's counts as the same if the grid's run of that config
  // reached the same value.
  const gridAtAshaBest = gridRun.trials.find((t) => configOf(t.params) === configOf(asha.best?.params ?? {}));
  const same = a === g && gridAtAshaBest?.best === g;
  console.log(
    `RESULT grid best ${g} (${configOf(gridRun.best?.params ?? {})}) in ${gridRun.totalResource} trial-epochs ` +
      `(${gridWall.toFixed(0)} s); asha best ${a} (${configOf(asha.best?.params ?? {})}) in ${asha.totalResource} ` +
      `trial-epochs (${ashaWall.toFixed(0)} s); asha/grid trial-epochs ` +
      `${(asha.totalResource / gridRun.totalResource).toFixed(2)}; ASHA's best ${same ? 'EQUALS' : 'DIFFERS FROM'} ` +
      `the grid's best`,
  );
  if (!deterministic || !same) process.exitCode = 1;
} finally {
  await manager.close();
  await rm(dir, { recursive: true, force: true });
}
