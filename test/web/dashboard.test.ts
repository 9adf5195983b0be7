// The dashboard end to end in a real Chromium (Debian's, never downloaded): a manager in-process, a real session
// reporting epochs, Fashion-MNIST pushed through the API, model generations promoted from the page.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { pathToFileURL } from 'node:url';
import type { BrowserContext, Page } from 'playwright-core';
import type { Manager } from '../../src/app.js';
import { pushDataset } from '../../src/sdk/index.js';
import { objectiveCommand } from '../../src/sweeps/testing/objective.js';
import { CHROMIUM, launchBrowser } from '../../src/testing/browser.js';
import { type TestManager, testManager } from '../../src/testing/manager.js';

const ROOT = resolve(import.meta.dirname, '../..');
const SDK = join(ROOT, 'dist/sdk/index.js');
const SHOTS = join(ROOT, 'test-output/screenshots');
const FASHION = '/usr/share/datasets/fashion-mnist';
const skip = existsSync(CHROMIUM) ? false : `no ${CHROMIUM}: install Debian's chromium (.ci/run does)`;

/** A training script as a user writes it: the SDK finds the manager from the session environment. */
const TRAIN = (sdk: string) => `
const { session } = await import(${JSON.stringify(pathToFileURL(sdk).href)});
const s = await session();
console.log('training fashion-mlp on', process.env.SWARMLAB_NODE);
const epochs = 8;
for (let e = 1; e <= epochs; e++) {
  await new Promise((r) => setTimeout(r, 800));
  const loss = 2.3 / (1 + e);
  s.epoch(e, { loss, accuracy: 0.95 - loss / 4 }, { total: epochs });
  console.log('epoch ' + e + '/' + epochs + ' loss ' + loss.toFixed(3));
}
await s.close();
console.log('finished: e2e-marker');
`;

/**
 * Reports val_loss at the first epoch only, saves a generation (the timeline's longest label, generation.saved),
 * then runs until stopped: its charts are checked while it runs.
 */
const SPARSE = (sdk: string) => `
const { session } = await import(${JSON.stringify(pathToFileURL(sdk).href)});
const s = await session();
s.epoch(1, { loss: 1.2, val_loss: 1.4, acc: 0.5 });
s.epoch(2, { loss: 0.9, acc: 0.6 });
await s.flush();
await s.saveGeneration({
  model: 'sparse-mlp',
  type: 'classifier/mlp',
  format: 'raw-float32',
  buffer: new Uint8Array(new Float32Array([1, 2, 3]).buffer),
  tensors: { w: { shape: [3], offset: 0 } },
});
setInterval(() => {}, 1000);
`;

/** One run of a sweep: three epochs whose curves depend on the learning rate given as argv[2]. */
const SWEEP = (sdk: string) => `
const { session } = await import(${JSON.stringify(pathToFileURL(sdk).href)});
const s = await session();
const lr = Number(process.argv[2]);
for (let e = 1; e <= 3; e++) s.epoch(e, { loss: 1 / (1 + e * lr * 10), acc: 0.5 + e * lr });
await s.close();
`;

/** An 8×8 PNG: red on the left half, blue on the right. */
const PNG_8X8 =
  'iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAFElEQVR4nGP4z8AAR0jM/wxDSwIA6TA/wRjsoYgAAAAASUVORK5CYII=';

/** Writes a text file, an image in a sub-folder and binary bytes into its output dir, then ends. */
const OUTPUTS = `
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
const out = process.env.SWARMLAB_OUTPUT_DIR;
mkdirSync(join(out, 'plots'), { recursive: true });
writeFileSync(join(out, 'notes.txt'), Array.from({ length: 40 }, (_, i) => 'line ' + i + ' of the notes').join('\\n'));
writeFileSync(join(out, 'plots', 'halves.png'), Buffer.from(${JSON.stringify(PNG_8X8)}, 'base64'));
writeFileSync(join(out, 'weights.bin'), Buffer.alloc(3000, 7));
`;

/** Pixels of the loss chart's canvas in val_loss's colour (the second series: #e4572e). */
const VAL_LOSS_PIXELS = `(() => {
  const c = document.querySelector('[data-testid=chart-step] figure[data-chart=loss] canvas');
  if (!c) return 0;
  const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data;
  let n = 0;
  for (let i = 0; i < d.length; i += 4) if (d[i] === 0xe4 && d[i + 1] === 0x57 && d[i + 2] === 0x2e) n++;
  return n;
})()`;

/** Per timeline row, the space between the end of the type label's text and the start of the description's. */
const EVENT_GAPS = `[...document.querySelectorAll('[data-testid=timeline] li.ev')].map((li) => {
  const text = (el) => {
    const r = document.createRange();
    r.selectNodeContents(el);
    return r.getBoundingClientRect();
  };
  const [, type, description] = li.children;
  return { type: type.textContent, gap: text(description).left - text(type).right };
})`;

/** Float32 weights of a tiny two-tensor model, shifted by `delta`. */
function weights(delta: number): Buffer {
  const w = Float32Array.from({ length: 12 + 3 }, (_, i) => Math.sin(i) + (i % 2 ? delta : 0));
  return Buffer.from(w.buffer);
}

describe('dashboard in Chromium', { skip }, () => {
  let dir: string;
  let t: TestManager;
  let manager: Manager;
  let context: BrowserContext;
  let page: Page;
  const shot = async (name: string) => {
    await page.screenshot({ path: join(SHOTS, `${name}.png`) });
  };
  const api = async <T>(path: string, init: RequestInit = {}): Promise<T> => {
    const res = await fetch(`${manager.url}${path}`, init);
    assert.ok(res.ok, `${init.method ?? 'GET'} ${path}: ${res.status} ${await res.clone().text()}`);
    return (await res.json()) as T;
  };
  const submit = (body: Record<string, unknown>) =>
    api<{ id: string }>('/api/v1/sessions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  const points = async () => Number(await page.getAttribute('[data-testid=chart-step]', 'data-points'));

  before(async () => {
    if (!existsSync(join(ROOT, 'web/dist/index.html'))) {
      const r = spawnSync('npx', ['vite', 'build', 'web', '--logLevel', 'warn'], {
        cwd: ROOT,
        stdio: 'inherit',
      });
      assert.equal(r.status, 0, 'vite build web failed');
    }
    assert.ok(existsSync(SDK), `the session needs the built SDK at ${SDK}: run npm run build`);
    dir = await mkdtemp(join(tmpdir(), 'swarmlab-web-'));
    await mkdir(SHOTS, { recursive: true });
    // A declared GPU box beside this machine: the nodes page then has GPUs to hand out.
    const nodes = {
      nodes: [
        {
          name: 'gpu-box',
          pool: 'training',
          labels: { gpu: 'a100' },
          capacity: {
            cpus: 16,
            memoryMb: 65536,
            gpus: [
              { index: 0, name: 'A100', memoryMb: 40960 },
              { index: 1, name: 'A100', memoryMb: 40960 },
            ],
          },
        },
      ],
    };
    await writeFile(join(dir, 'train.mjs'), TRAIN(SDK));
    await writeFile(join(dir, 'sparse.mjs'), SPARSE(SDK));
    await writeFile(join(dir, 'sweep.mjs'), SWEEP(SDK));
    await writeFile(join(dir, 'outputs.mjs'), OUTPUTS);
    // Usage sampled every second (default 5 s), so the usage card and the nodes' use fill quickly.
    t = await testManager({ nodes, usageInterval: '1s' });
    manager = t.manager;
    context = await launchBrowser(join(dir, 'profile'));
    page = context.pages()[0] ?? (await context.newPage());
    page.on('dialog', (d) => void d.accept());
    console.log(`screenshots: ${SHOTS}`);
  });

  after(async () => {
    await context?.close();
    await t?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('follows a running session: chart points grow, the log tail shows output, the badge turns succeeded', async () => {
    // A second session holds a GPU on gpu-box until it is stopped from its page.
    const holder = await submit({
      name: 'gpu-holder',
      command: [process.execPath, '-e', 'setInterval(() => {}, 1000)'],
      resources: { cpus: 2, memoryMb: 4096, gpus: 1 },
      labels: { gpu: 'a100' },
    });
    const { id } = await submit({
      name: 'fashion-mlp',
      command: [process.execPath, join(dir, 'train.mjs')],
      resources: { cpus: 1, memoryMb: 512 },
    });
    await page.goto(`${manager.url}/sessions/${id}`);
    await page.waitForSelector('[data-testid=connection].conn-live');
    await page.waitForFunction(
      `Number(document.querySelector('[data-testid=chart-step]')?.dataset.points) > 0`,
      undefined,
      { timeout: 20_000 },
    );
    const first = await points();
    await page.waitForFunction(
      `Number(document.querySelector('[data-testid=chart-step]')?.dataset.points) > ${first}`,
      undefined,
      { timeout: 10_000 },
    );
    assert.ok((await points()) > first, 'the chart gained points while the session ran');
    await page.waitForSelector('[data-testid=log-tail] >> text=epoch 2/8');
    await shot('session-running');
    await page.waitForSelector('.session-head [data-state=succeeded]', { timeout: 30_000 });
    await page.waitForSelector('[data-testid=log-tail] >> text=finished: e2e-marker');
    await page.waitForFunction(
      `Number(document.querySelector('[data-testid=chart-step]')?.dataset.points) >= 16`,
      undefined,
      { timeout: 5_000 },
    );
    assert.equal(await points(), 16, 'every epoch drawn: 8 × (loss, accuracy)');
    assert.match((await page.textContent('[data-testid=timeline]')) ?? '', /succeeded: exit code 0/);
    await shot('session-succeeded');
    await page.emulateMedia({ colorScheme: 'dark' });
    await page.reload();
    await page.waitForSelector('[data-testid=chart-step]:not([data-points="0"])');
    await shot('session-dark');
    await page.emulateMedia({ colorScheme: 'light' });

    await page.goto(`${manager.url}/nodes`);
    await page.waitForSelector('[data-node=gpu-box] >> text=gpu-holder');
    await shot('nodes');

    await page.goto(`${manager.url}/sessions`);
    await page.waitForSelector(
      `[data-testid=sessions-table] tr[data-session="${id}"] [data-state=succeeded]`,
    );
    await page.waitForSelector(
      `[data-testid=sessions-table] tr[data-session="${holder.id}"] [data-state=running]`,
    );
    // The last metric of a finished session comes from its newest stored points (metrics?latest=true).
    await page.waitForSelector(`tr[data-session="${id}"] >> text=/ep 8.*loss 0\\.25/`);
    await shot('sessions');

    // Stop from the session page (the confirm dialog is accepted).
    await page.click(`tr[data-session="${holder.id}"] a`);
    await page.click('button.danger:has-text("Stop")');
    await page.waitForSelector('.session-head [data-state=stopped]', { timeout: 30_000 });
  });

  it('draws a chart per metric family with labelled axes, a lone point as a dot, event labels clear of their text', async () => {
    const { id } = await submit({
      name: 'sparse',
      command: [process.execPath, join(dir, 'sparse.mjs')],
      resources: { cpus: 1, memoryMb: 512 },
    });
    await page.goto(`${manager.url}/sessions/${id}`);
    await page.waitForSelector('[data-testid=chart-step][data-points="5"]', { timeout: 20_000 });
    const families = await page.evaluate<string[]>(
      `[...document.querySelectorAll('[data-testid=chart-step] figure.chart')].map((f) => f.dataset.chart)`,
    );
    assert.deepEqual(families.sort(), ['acc', 'loss'], 'loss and val_loss share a chart, acc has its own');
    for (const family of ['acc', 'loss']) {
      const chart = page.locator(`[data-testid=chart-step] figure[data-chart=${family}]`);
      assert.equal(await chart.locator('.axis-x').textContent(), 'step');
      assert.equal(await chart.locator('.axis-y').textContent(), family);
      for (const label of ['.axis-x', '.axis-y']) {
        const box = await chart.locator(label).boundingBox();
        assert.ok(box && box.width > 0 && box.height > 0, `${family} ${label} is visible`);
      }
    }
    const legend = await page
      .locator('[data-testid=chart-step] figure[data-chart=loss] .chart-legend .u-series th')
      .allTextContents();
    assert.deepEqual(legend.slice(1), ['loss', 'val_loss'], 'a legend entry per series');
    // val_loss has one point: no line can be drawn, so it must show as a dot (>= 8 px across).
    await page.waitForFunction(`${VAL_LOSS_PIXELS} > 20`, undefined, { timeout: 5_000 });
    await page.locator('[data-testid=chart-step]').screenshot({ path: join(SHOTS, 'session-families.png') });

    await page.click('button.danger:has-text("Stop")');
    await page.waitForSelector('.session-head [data-state=stopped]', { timeout: 30_000 });
    for (const type of ['generation.saved', 'stop-requested'])
      await page.waitForSelector(`[data-testid=timeline] .ev-type >> text=${type}`);
    const gaps = await page.evaluate<Array<{ type: string; gap: number }>>(EVENT_GAPS);
    assert.ok(gaps.length >= 5, `timeline rows: ${JSON.stringify(gaps)}`);
    for (const g of gaps) assert.ok(g.gap >= 0, `the "${g.type}" label runs ${-g.gap}px into its text`);
    await page.locator('[data-testid=timeline]').screenshot({ path: join(SHOTS, 'session-events.png') });
  });

  it('compares three runs picked in the sessions table: curves per metric, differing params and best values marked, params against a metric', async () => {
    const runs: string[] = [];
    for (const lr of [0.01, 0.05, 0.1]) {
      const { id } = await submit({
        name: `sweep-lr${lr}`,
        command: [process.execPath, join(dir, 'sweep.mjs'), String(lr)],
        resources: { cpus: 1, memoryMb: 256 },
        params: { lr, batch: 32 },
      });
      runs.push(id);
    }
    await page.goto(`${manager.url}/sessions`);
    for (const id of runs) {
      const row = `[data-testid=sessions-table] tr[data-session="${id}"]`;
      await page.waitForSelector(`${row} [data-state=succeeded]`, { timeout: 30_000 });
      await page.check(`${row} input[type=checkbox]`);
    }
    await page.click('[data-testid=compare]');
    await page.waitForSelector(
      '[data-testid=compare-charts] figure[data-chart=loss] .chart-box[data-points="9"]',
    );
    const charts = await page.evaluate<string[]>(
      `[...document.querySelectorAll('[data-testid=compare-charts] figure.chart')].map((f) => f.dataset.chart)`,
    );
    assert.deepEqual(charts, ['acc', 'loss'], 'one chart per metric');
    for (const metric of charts) {
      const chart = `[data-testid=compare-charts] figure[data-chart=${metric}]`;
      assert.equal(await page.getAttribute(`${chart} .chart-box`, 'data-points'), '9');
      const legend = await page.locator(`${chart} .chart-legend .u-series th`).allTextContents();
      assert.deepEqual(
        legend.slice(1),
        ['sweep-lr0.01', 'sweep-lr0.05', 'sweep-lr0.1'],
        `${metric}: a line per run`,
      );
    }
    const rowClass = (row: string) =>
      page.getAttribute(`[data-testid=compare-table] tr[data-row="${row}"]`, 'class');
    assert.equal(await rowClass('param:lr'), 'differs', 'lr differs between the runs');
    assert.equal(await rowClass('param:batch'), '', 'batch is the same in every run');
    // The best value per metric row: the lowest loss and the highest acc both belong to lr 0.1 (third column).
    for (const metric of ['loss', 'acc']) {
      const cells = page.locator(`[data-testid=compare-table] tr[data-row="metric:${metric}"] td`);
      assert.deepEqual(
        await cells.evaluateAll((tds) => tds.map((td) => td.classList.contains('best'))),
        [false, false, true],
        `${metric}: only lr 0.1 is best`,
      );
    }
    assert.equal(await page.textContent('.header h1 a.crumb'), 'Sessions');

    // Params against a metric: an axis for lr (batch is the same everywhere), then the metric; a line per run.
    const plot = '[data-testid=parallel-plot]';
    const axes = () =>
      page.locator(`${plot} [data-axis]`).evaluateAll((gs) => gs.map((g) => g.getAttribute('data-axis')));
    assert.deepEqual(await axes(), ['lr', 'acc'], 'acc is picked first: the only score');
    assert.equal(await page.locator(`${plot} [data-run]`).count(), 3);
    const stroke = (run: string) => page.getAttribute(`${plot} [data-run="${run}"] .pc-line`, 'stroke');
    assert.equal(await stroke('sweep-lr0.1'), 'hsl(215 75% 48%)', 'the best acc is drawn blue');
    await page.hover(`${plot} [data-run="sweep-lr0.05"]`);
    await page.waitForSelector(`[data-testid=pc-hover] >> text=sweep-lr0.05`);
    assert.match((await page.textContent('[data-testid=pc-hover]')) ?? '', /lr 0\.05 · acc 0\.65/);
    await page.locator(plot).screenshot({ path: join(SHOTS, 'compare-params.png') });
    await page.selectOption('[data-testid=pc-metric]', 'loss');
    await page.waitForFunction(`location.search.includes('metric=loss')`);
    assert.deepEqual(await axes(), ['lr', 'loss']);
    assert.equal(await stroke('sweep-lr0.1'), 'hsl(215 75% 48%)', 'the lowest loss is drawn blue');
    assert.equal(await stroke('sweep-lr0.01'), 'hsl(30 75% 48%)', 'the highest loss is drawn orange');
    await page.screenshot({ path: join(SHOTS, 'compare.png'), fullPage: true });
    // Its lr end (the lines cross in the middle): a click opens the run.
    await page.locator(`${plot} [data-run="sweep-lr0.01"] circle`).first().click();
    await page.waitForSelector(`.session-head >> text=${runs[0]}`);
  });

  it('lists the artifacts a session wrote, previews text and images, downloads with the token', async () => {
    const { id } = await submit({
      name: 'outputs',
      command: [process.execPath, join(dir, 'outputs.mjs')],
      resources: { cpus: 1, memoryMb: 256 },
    });
    await page.goto(`${manager.url}/sessions/${id}`);
    await page.waitForSelector('.session-head [data-state=succeeded]', { timeout: 30_000 });
    const table = '[data-testid=artifacts-table]';
    await page.waitForSelector(`${table} tr[data-artifact="weights.bin"]`, { timeout: 10_000 });
    const rows = await page
      .locator(`${table} tbody tr`)
      .evaluateAll((trs) =>
        trs.map((tr) => [...tr.querySelectorAll('td')].slice(0, 2).map((td) => td.textContent)),
      );
    assert.deepEqual(rows, [
      ['notes.txt', '829 B'],
      ['plots/halves.png', '77 B'],
      ['weights.bin', '2.9 KiB'],
    ]);
    assert.match((await page.textContent('[data-testid=artifacts-summary]')) ?? '', /^3 files, 3\.8 KiB$/);
    assert.equal(
      await page.locator(`${table} tr[data-artifact="weights.bin"] button:has-text("Preview")`).count(),
      0,
      'binary bytes are offered for download only',
    );

    await page.click(`${table} tr[data-artifact="notes.txt"] button:has-text("Preview")`);
    await page.waitForSelector(
      '[data-testid=artifact-preview][data-path="notes.txt"] >> text=line 39 of the notes',
    );
    await page.click(`${table} tr[data-artifact="plots/halves.png"] button:has-text("Preview")`);
    const img = '[data-testid=artifact-preview][data-path="plots/halves.png"] img';
    await page.waitForFunction(`document.querySelector(${JSON.stringify(img)})?.naturalWidth === 8`);
    // The image drawn from the fetched bytes: red on the left, blue on the right.
    const pixels = await page.evaluate<number[][]>(`(() => {
      const img = document.querySelector(${JSON.stringify(img)});
      const c = document.createElement('canvas');
      c.width = 8;
      c.height = 8;
      const g = c.getContext('2d');
      g.drawImage(img, 0, 0);
      return [[...g.getImageData(1, 4, 1, 1).data], [...g.getImageData(6, 4, 1, 1).data]];
    })()`);
    assert.deepEqual(pixels, [
      [255, 0, 0, 255],
      [0, 0, 255, 255],
    ]);
    await page.locator('[data-testid=artifacts]').screenshot({ path: join(SHOTS, 'session-artifacts.png') });

    const [file] = await Promise.all([
      page.waitForEvent('download'),
      page.click(`${table} tr[data-artifact="weights.bin"] button:has-text("Download")`),
    ]);
    assert.equal(file.suggestedFilename(), 'weights.bin');
    const saved = await readFile((await file.path())!);
    assert.deepEqual(saved, Buffer.alloc(3000, 7));
  });

  it("charts what a CPU-burning session uses against its grant, and the node's use beside its allocation", async () => {
    const { id } = await submit({
      name: 'burner',
      command: [process.execPath, '-e', 'for (;;) {}'],
      resources: { cpus: 1, memoryMb: 512 },
    });
    await page.goto(`${manager.url}/sessions/${id}`);
    await page.waitForSelector('.session-head [data-state=running]', { timeout: 30_000 });
    const cpu = '[data-testid=usage-charts] figure[data-chart="cpu cores"]';
    const cpuPoints = `Number(document.querySelector('${cpu} .chart-box')?.dataset.points ?? 0)`;
    // cpu samples plus the two ends of the granted line
    await page.waitForFunction(`${cpuPoints} >= 4`, undefined, { timeout: 30_000 });
    const first = await page.evaluate<number>(cpuPoints);
    await page.waitForFunction(`${cpuPoints} > ${first}`, undefined, { timeout: 20_000 });
    const legend = (chart: string) =>
      page
        .locator(`[data-testid=usage-charts] figure[data-chart="${chart}"] .chart-legend .u-series th`)
        .allTextContents();
    assert.deepEqual((await legend('cpu cores')).slice(1), ['cpu', 'granted']);
    assert.deepEqual((await legend('memory MB')).slice(1), ['rss_mb', 'peak_mb', 'granted']);
    assert.equal(
      await page.locator('[data-testid=chart-step] figure[data-chart=cpu]').count(),
      0,
      'usage stays out of the training metrics',
    );
    assert.match((await page.textContent('.kv')) ?? '', /Boot time\d+\.\d\d s from submit to running/);
    await page.locator('[data-testid=usage-charts]').screenshot({ path: join(SHOTS, 'session-usage.png') });

    const { placement } = await api<{ placement: { node: string } }>(`/api/v1/sessions/${id}`);
    await page.goto(`${manager.url}/nodes`);
    // The CPU and memory bars read what the node's sessions were last sampled using, beside the allocation.
    const used = `[data-node="${placement.node}"] [data-testid=used]`;
    await page.waitForFunction(
      `[...document.querySelectorAll(${JSON.stringify(used)})].map((e) => e.textContent).join('|').match(/^used [\\d.]+ · \\|used [1-9]\\d* MiB · /)`,
      undefined,
      { timeout: 20_000 },
    );
    const { nodes } = await api<{ nodes: Array<{ name: string; used?: { memoryMb: number } }> }>(
      '/api/v1/nodes',
    );
    assert.ok(
      (nodes.find((n) => n.name === placement.node)?.used?.memoryMb ?? 0) > 0,
      'the API has the use too',
    );
    assert.ok(await page.locator(`[data-node="${placement.node}"] .used-mark`).first().isVisible());
    await page.locator(`[data-node="${placement.node}"]`).screenshot({ path: join(SHOTS, 'nodes-used.png') });
    await api(`/api/v1/sessions/${id}/stop`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{}',
    });
  });

  it('follows an ASHA sweep live: trials with state, params, metric and rung, the best so far, progress', async () => {
    // score = q·epoch, rungs at 1 and 2 epochs, one trial at a time: q=5 runs to the end, q=3 is stopped at rung 0,
    // q=8 runs to the end and is the best (32 at epoch 4). See src/sweeps/sweeps.test.ts.
    const sweep = await api<{ id: string; rungs: number[] }>('/api/v1/sweeps', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'asha-e2e',
        algorithm: 'asha',
        space: { q: { kind: 'choice', values: [5, 3, 8] } },
        asha: { minResource: 1, maxResource: 4, eta: 2, sample: 'grid' },
        metric: 'score',
        mode: 'max',
        parallelism: 1,
        session: { command: objectiveCommand(4, 300), resources: { cpus: 1, memoryMb: 256 } },
      }),
    });
    await page.goto(`${manager.url}/sweeps/${sweep.id}`);
    const trials = '[data-testid=trials-table] tbody tr';
    await page.waitForSelector(`${trials}[data-trial="0"] [data-state=running]`, { timeout: 30_000 });
    assert.equal(await page.locator(trials).count(), 3);
    assert.notEqual(
      await page.getAttribute('[data-testid=sweep-progress] [data-testid=progress]', 'data-done'),
      '3',
    );
    await shot('sweep-running');
    // No reload: the page follows the trials' events until the sweep completes.
    await page.waitForSelector('[data-testid=sweep-progress] [data-testid=progress][data-done="3"]', {
      timeout: 90_000,
    });
    await page.waitForSelector('.session-head [data-state=completed]', { timeout: 30_000 });
    const rows = await page
      .locator(trials)
      .evaluateAll((trs) =>
        trs.map((tr) => [
          tr.querySelector('[data-state]')?.getAttribute('data-state'),
          tr.querySelectorAll('td')[2]?.textContent,
          tr.querySelector('[data-col=value]')?.textContent,
          tr.querySelector('[data-col=rung]')?.textContent,
        ]),
      );
    assert.deepEqual(rows, [
      ['succeeded', '5', '20', '1 (2)'],
      ['stopped', '3', '3', '—, stopped at 0'],
      ['succeeded', '8', '32', '1 (2)'],
    ]);
    assert.equal(await page.getAttribute(`${trials}.best-trial`, 'data-trial'), '2');
    assert.equal(await page.textContent('[data-testid=sweep-best] .value'), '32');
    const done = await api<{ totalResource: number }>(`/api/v1/sweeps/${sweep.id}`);
    assert.equal(await page.textContent('[data-testid=trial-epochs]'), `${done.totalResource} trial-epochs`);
    const axes = await page
      .locator('[data-testid=parallel-plot] [data-axis]')
      .evaluateAll((gs) => gs.map((g) => g.getAttribute('data-axis')));
    assert.deepEqual(axes, ['q', 'score']);
    assert.equal(await page.locator('[data-testid=parallel-plot] [data-run]').count(), 3);
    await page.screenshot({ path: join(SHOTS, 'sweep.png'), fullPage: true });

    await page.click('.header h1 a.crumb');
    const row = `[data-testid=sweeps-table] tr[data-sweep="${sweep.id}"]`;
    await page.waitForSelector(`${row} [data-state=completed]`);
    assert.equal(await page.getAttribute(`${row} [data-testid=progress]`, 'data-done'), '3');
    assert.match((await page.textContent(row)) ?? '', /asha-e2e.*asha.*score \(max\).*3 \/ 3.*32/);
    await shot('sweeps');
  });

  it('stops a running sweep from its page', async () => {
    const sweep = await api<{ id: string }>('/api/v1/sweeps', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        name: 'long-grid',
        algorithm: 'grid',
        space: { q: { kind: 'choice', values: [1, 2, 3] } },
        metric: 'score',
        mode: 'max',
        session: { command: objectiveCommand(100, 300), resources: { cpus: 1, memoryMb: 256 } },
      }),
    });
    await page.goto(`${manager.url}/sweeps/${sweep.id}`);
    await page.waitForSelector('[data-testid=trials-table] tr[data-trial="0"] [data-state=running]', {
      timeout: 30_000,
    });
    await page.click('.session-head button.danger:has-text("Stop")');
    await page.waitForSelector('.session-head [data-state=stopped]', { timeout: 30_000 });
    await page.waitForSelector('[data-testid=trials-table] tr[data-trial="0"] [data-state=stopped]', {
      timeout: 30_000,
    });
    assert.equal(await page.locator('.session-head button.danger').count(), 0, 'no Stop once stopped');
    assert.equal(await page.locator('[data-testid=trials-table] [data-state=running]').count(), 0);
  });

  it('draws Fashion-MNIST images from the preview on canvases', async (t) => {
    const images = join(FASHION, 't10k-images-idx3-ubyte.gz');
    if (!existsSync(images)) return t.skip(`no ${images}`);
    await pushDataset('fashion', [images, join(FASHION, 't10k-labels-idx1-ubyte.gz')], {
      url: manager.url,
      token: manager.token,
      format: 'idx',
    });
    await page.goto(`${manager.url}/datasets`);
    await page.waitForSelector('[data-testid=datasets-table] >> text=fashion');
    await shot('datasets');
    await page.goto(`${manager.url}/datasets/fashion`);
    await page.waitForSelector('[data-testid=image-47]');
    // Each of the first images has many grey levels (a drawn item, not a blank or uniform square).
    const levels = await page.evaluate<
      number[]
    >(`[...document.querySelectorAll('[data-testid=image-grid] canvas')]
      .slice(0, 8).map((c) => new Set(c.getContext('2d').getImageData(0, 0, c.width, c.height).data.filter((_, i) => i % 4 === 0)).size)`);
    assert.equal(levels.length, 8);
    for (const n of levels) assert.ok(n > 20, `an image with ${n} grey levels`);
    assert.match((await page.textContent('[data-testid=schema-table]')) ?? '', /uint8/);
    await shot('dataset-fashion');
  });

  it('promotes a generation from the model page and shows the diff', async () => {
    const save = (g: number, accuracy: number) =>
      api(`/api/v1/models/fashion-mlp/generations`, {
        method: 'POST',
        headers: {
          'content-type': 'application/octet-stream',
          'x-swarmlab-generation': JSON.stringify({
            type: 'classifier/mlp',
            format: 'raw-float32',
            metrics: { accuracy, loss: 1 - accuracy },
            tensors: {
              'dense.weight': { shape: [4, 3], offset: 0 },
              'dense.bias': { shape: [3], offset: 48 },
            },
          }),
        },
        body: weights(g * 0.01),
      });
    await save(1, 0.81);
    await save(2, 0.86);
    await save(3, 0.88);
    await api('/api/v1/models/fashion-mlp/generations/1/stage', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ stage: 'production' }),
    });
    await page.goto(`${manager.url}/models`);
    await page.waitForSelector('[data-testid=model-tree] >> text=classifier/mlp');
    await shot('models-tree');
    await page.goto(`${manager.url}/models/fashion-mlp`);
    const row = (g: number) => `[data-testid=generations-table] tr[data-generation="${g}"]`;
    await page.waitForSelector(`${row(3)} [data-state=draft]`);
    await page.click(`${row(3)} button:has-text("Promote to production")`);
    await page.waitForSelector(`${row(3)} [data-state=production]`);
    await page.waitForSelector(`${row(1)} [data-state=archived]`);
    await page.click('[data-testid=diff] button:has-text("Compare")');
    await page.waitForSelector('[data-testid=diff-summary]');
    assert.match((await page.textContent('[data-testid=stage-history]')) ?? '', /g3/);
    await shot('model');
  });

  it('says serving is not available until the model server exports its metrics', async () => {
    await page.goto(`${manager.url}/serving`);
    await page.waitForSelector('[data-testid=serving-unavailable]');
    await shot('serving');
  });

  it('asks for the token when the manager requires one, then works with it', async () => {
    const locked = await testManager({ requireToken: true, localNode: false });
    try {
      await page.goto(`${locked.url}/sessions`);
      await page.waitForSelector('[data-testid=token-prompt]');
      await shot('token-prompt');
      await page.fill('[data-testid=token-prompt] input', locked.token);
      await page.click('[data-testid=token-prompt] button[type=submit]');
      await page.waitForSelector('.empty >> text=Start one with');
      await page.waitForSelector('[data-testid=connection].conn-live');
      assert.equal(await page.$('[data-testid=token-prompt]'), null);
      // The navigation says who the manager takes us for: its own token is an admin.
      await page.waitForSelector('[data-testid=identity] [data-testid=role] >> text=admin');
      await shot('identity-admin');

      // A read token, logged in with after forgetting the manager's: the role and the token's name show.
      const res = await fetch(`${locked.url}/api/v1/tokens`, {
        method: 'POST',
        headers: { ...locked.auth, 'content-type': 'application/json' },
        body: JSON.stringify({ name: 'alice', role: 'read' }),
      });
      assert.equal(res.status, 201);
      const { token } = (await res.json()) as { token: string };
      await page.click('button:has-text("Forget token")');
      await page.waitForSelector('[data-testid=token-prompt]');
      await page.fill('[data-testid=token-prompt] input', token);
      await page.click('[data-testid=token-prompt] button[type=submit]');
      await page.waitForSelector('[data-testid=identity] [data-testid=role] >> text=read');
      assert.equal(await page.textContent('[data-testid=identity] .actor'), 'alice');
      await page.locator('nav.nav').screenshot({ path: join(SHOTS, 'identity-read.png') });
    } finally {
      await locked.close();
    }
  });
});
