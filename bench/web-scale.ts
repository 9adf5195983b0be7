/**
 * Dashboard at scale: writes 10,000 sessions and one session with 1,000,000 metric points into a manager's data
 * dir (through the sessions repo and the metric series, in-process: minutes faster than the API); the first 1,000
 * sessions also get params and 4 metrics × 1,000 steps. It starts the manager on it and measures in Chromium the
 * time to first render of the sessions page, of the big session's page and of a 20-run Compare page (target:
 * ≤ 300 ms median), plus the longest main-thread task on each.
 *
 *   npm run build && node --import tsx bench/web-scale.ts [--sessions N] [--points N] [--compared N] [--keep DIR]
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { startManager } from '../src/app.js';
import { resolveConfig } from '../src/config/index.js';
import { EventArchive, type MetricPoint } from '../src/events/index.js';
import { type SessionRecord, SessionRepo } from '../src/sessions/index.js';
import { openStore } from '../src/store/index.js';
import { MetricSeries, packPoints } from '../src/telemetry/index.js';
import { launchBrowser } from '../src/testing/browser.js';

const { values: args } = parseArgs({
  options: {
    sessions: { type: 'string', default: '10000' },
    points: { type: 'string', default: '1000000' },
    compared: { type: 'string', default: '1000' },
    keep: { type: 'string' },
  },
});
const N_SESSIONS = Number(args.sessions);
const N_POINTS = Number(args.points);
/** Sessions with params and 4 metrics × COMPARE_STEPS points each, of which the Compare page shows COMPARE_RUNS. */
const N_COMPARED = Math.min(Number(args.compared), N_SESSIONS);
const COMPARE_STEPS = 1000;
const COMPARE_RUNS = 20;
if (!existsSync(resolve(import.meta.dirname, '../web/dist/index.html'))) {
  console.error('bench/web-scale needs the built dashboard: run `npm run build` first');
  process.exit(1);
}

const record = (i: number, createdAt: number, state: SessionRecord['state']): SessionRecord => ({
  id: `s-scale-${String(i).padStart(6, '0')}`,
  name: `sweep-${i % 97}-lr${(i % 7) + 1}e-3`,
  command: ['node', 'train.js'],
  shell: false,
  params: i < N_COMPARED ? { lr: ((i % 7) + 1) / 1000, batch: 32 * (1 + (i % 2)), seed: i } : {},
  cwd: '/tmp',
  env: {},
  dataset: i % 3 === 0 ? 'fashion@1' : undefined,
  resources: {
    cpus: 1 + (i % 4),
    memoryMb: 512 * (1 + (i % 8)),
    gpus: i % 5 === 0 ? 1 : 0,
    gpuMemoryFraction: 1,
  },
  priority: i % 3,
  pool: 'training',
  labels: {},
  state,
  createdAt,
  placedAt: createdAt + 50,
  startedAt: createdAt + 200,
  endedAt: createdAt + 200 + 60_000 + (i % 600) * 1000,
  exitCode: state === 'succeeded' ? 0 : 1,
  signal: null,
});

async function writeFixtures(dataDir: string): Promise<string> {
  const store = await openStore('lmdb', { dataDir });
  const events = new EventArchive(store);
  const repo = new SessionRepo(store, events);
  const series = new MetricSeries(store);
  const t0 = performance.now();
  const base = Date.now() - N_SESSIONS * 60_000;
  for (let i = 0; i < N_SESSIONS; i++) {
    const r = record(i, base + i * 60_000, i % 11 === 0 ? 'failed' : 'succeeded');
    await repo.create(r, {
      type: 'session.submitted',
      sessionId: r.id,
      data: { name: r.name, priority: r.priority, pool: r.pool },
    });
  }
  for (let i = 0; i < N_COMPARED; i++) {
    const r = record(i, base + i * 60_000, 'succeeded');
    const k = 1 + (i % 7);
    const points: MetricPoint[] = [];
    for (let s = 0; s < COMPARE_STEPS; s++) {
      const x = s / COMPARE_STEPS;
      const t = r.startedAt! + s * 50;
      const decay = Math.exp(-k * x);
      points.push(
        ['loss', 2.3 * decay, s, t],
        ['val_loss', 2.4 * decay + 0.05, s, t],
        ['accuracy', 0.95 - 0.85 * decay, s, t],
        ['val_accuracy', 0.93 - 0.85 * decay, s, t],
      );
    }
    await store.commit([series.op(r.id, packPoints(points))]);
  }
  const t1 = performance.now();
  const big = {
    ...record(N_SESSIONS, Date.now() - 3_600_000, 'succeeded'),
    id: 's-scale-1m',
    name: 'one-million-points',
  };
  await repo.create(big, {
    type: 'session.submitted',
    sessionId: big.id,
    data: { name: big.name, priority: 0, pool: 'training' },
  });
  // Two series (loss, accuracy) of N_POINTS / 2 steps each, with noise and a few spikes the downsampling keeps.
  const BATCH = 20_000;
  const steps = Math.floor(N_POINTS / 2);
  for (let start = 0; start < steps; start += BATCH / 2) {
    const points: MetricPoint[] = [];
    for (let s = start; s < Math.min(steps, start + BATCH / 2); s++) {
      const x = s / steps;
      const spike = s % 99_991 === 0 ? 3 : 0;
      const t = big.startedAt! + s * 5;
      points.push(['loss', 2.3 * Math.exp(-4 * x) + 0.05 * Math.sin(s / 50) + spike, s, t]);
      points.push(['accuracy', 0.95 - 0.85 * Math.exp(-5 * x) + 0.01 * Math.cos(s / 70), s, t]);
    }
    await store.commit([series.op(big.id, packPoints(points))]);
  }
  const t2 = performance.now();
  await store.close();
  console.log(
    `fixtures: ${N_SESSIONS} sessions (${N_COMPARED} with ${4 * COMPARE_STEPS} points) in ${((t1 - t0) / 1000).toFixed(1)} s; ` +
      `${steps * 2} metric points in ${((t2 - t1) / 1000).toFixed(1)} s`,
  );
  return big.id;
}

/** Records when each selector first matches (ms since navigation start) and the longest main-thread task. */
const PROBE = `
  window.__seen = {};
  window.__longest = 0;
  const want = {
    table: '[data-testid=sessions-table] tbody tr',
    chart: '[data-testid=chart-step]:not([data-points="0"])',
    compare: '[data-testid=compare-charts] figure:nth-of-type(4) .chart-box:not([data-points="0"])',
  };
  new MutationObserver(() => {
    for (const [k, sel] of Object.entries(want))
      if (!(k in window.__seen) && document.querySelector(sel)) window.__seen[k] = performance.now();
  }).observe(document, { subtree: true, childList: true, attributes: true });
  new PerformanceObserver((list) => {
    for (const e of list.getEntries()) window.__longest = Math.max(window.__longest, e.duration);
  }).observe({ type: 'longtask', buffered: true });
`;

const dir = args.keep ?? (await mkdtemp(join(tmpdir(), 'swarmlab-web-scale-')));
const bigId = await writeFixtures(join(dir, 'data'));
const manager = await startManager(
  resolveConfig({ dataDir: join(dir, 'data'), port: 0, logLevel: 'warn', localNode: false }),
);
const context = await launchBrowser(join(dir, 'profile'));
try {
  await context.addInitScript(PROBE);
  const page = context.pages()[0] ?? (await context.newPage());
  const measure = async (path: string, key: string, selector: string, label = path) => {
    const results: number[] = [];
    let longest = 0;
    for (let run = 0; run < 3; run++) {
      await page.goto(`${manager.url}${path}`);
      await page.waitForSelector(selector, { timeout: 60_000 });
      results.push(await page.evaluate<number>(`window.__seen[${JSON.stringify(key)}]`));
      // Let late work (live stream, counts) land, then read the longest task seen.
      await page.waitForTimeout(500);
      longest = Math.max(longest, await page.evaluate<number>('window.__longest'));
    }
    results.sort((a, b) => a - b);
    console.log(
      `${label}: first render ${results.map((r) => `${Math.round(r)} ms`).join(', ')} (median ${Math.round(results[1]!)} ms); ` +
        `longest main-thread task ${Math.round(longest)} ms`,
    );
  };
  await measure('/sessions', 'table', '[data-testid=sessions-table] tbody tr');
  console.log(`  pager: ${await page.textContent('[data-testid=pager-range]')}`);
  const t = performance.now();
  const res = await fetch(`${manager.url}/api/v1/sessions/${bigId}/metrics?maxPoints=2000`);
  const body = (await res.json()) as { series: Record<string, { points: number; value: number[] }> };
  console.log(
    `  metrics?maxPoints=2000: ${Math.round(performance.now() - t)} ms, ` +
      Object.entries(body.series)
        .map(([n, s]) => `${n} ${s.points} → ${s.value.length}`)
        .join(', '),
  );
  await measure(`/sessions/${bigId}`, 'chart', '[data-testid=chart-step]:not([data-points="0"])');
  console.log(`  ${await page.textContent('[data-testid=metrics-summary]')}`);
  await page.screenshot({
    path: resolve(import.meta.dirname, '../test-output/screenshots/scale-session-1m.png'),
  });
  if (N_COMPARED >= COMPARE_RUNS) {
    const ids = Array.from({ length: COMPARE_RUNS }, (_, i) => record(i, 0, 'succeeded').id);
    await measure(
      `/compare?ids=${ids.join(',')}`,
      'compare',
      '[data-testid=compare-charts] figure:nth-of-type(4) .chart-box:not([data-points="0"])',
      `/compare (${COMPARE_RUNS} runs × 4 metrics × ${COMPARE_STEPS} steps, 200 points each drawn)`,
    );
    await page.screenshot({
      path: resolve(import.meta.dirname, '../test-output/screenshots/scale-compare-20.png'),
    });
  }
  await page.goto(`${manager.url}/sessions`);
  await page.waitForSelector('[data-testid=sessions-table] tbody tr');
  await page.screenshot({
    path: resolve(import.meta.dirname, '../test-output/screenshots/scale-sessions-10k.png'),
  });
} finally {
  await context.close();
  await manager.close();
  if (!args.keep) await rm(dir, { recursive: true, force: true });
}
