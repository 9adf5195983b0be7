/**
 * `npm run example:fashion-mnist`: the whole Fashion-MNIST run against a running manager (SWARMLAB_URL,
 * default http://127.0.0.1:7070). Pushes the data, submits `train.ts` as a session with `rules.json`,
 * follows its epochs, generations and rule firings, then loads the production generation of `fashion-mlp`
 * and measures its accuracy on the t10k set. The last line is `RESULT {json}` for scripts and tests.
 * Exits 1 when the session failed or no generation reached production.
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { InvalidError, NotFoundError } from '../../src/errors/index.js';
import type { SwarmEvent } from '../../src/events/index.js';
import type { GenerationView, ModelView } from '../../src/models/index.js';
import {
  followEvents,
  loadGeneration,
  ModelsClient,
  openDataset,
  SwarmlabClient,
} from '../../src/sdk/index.js';
import type { SessionRecord } from '../../src/sessions/index.js';
import { pushFashion } from './push.js';
import { accuracy, fromTfjsFiles, initTf, readExamples } from './tf.js';

const here = (p: string) => fileURLToPath(new URL(p, import.meta.url));
const repoRoot = here('../../');
const modelName = process.env.FASHION_MODEL || 'fashion-mlp';
const rules = JSON.parse(readFileSync(here('./rules.json'), 'utf8')) as Record<string, unknown>;
const t0 = Date.now();
const client = new SwarmlabClient();
const models = new ModelsClient(client);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const modelView = () =>
  models.model(modelName).catch((err) => (err instanceof NotFoundError ? undefined : Promise.reject(err)));
const fmt = (v: number | undefined) => (v === undefined ? '—' : v.toFixed(4));

try {
  await client.json('GET', '/healthz');
} catch (err) {
  console.error((err as Error).message); // "no Swarmlab manager at … — start one with `swarmlab up`"
  process.exit(1);
}
console.log(`manager ${client.url}`);
const pushed = await pushFashion();
const train = pushed.find((d) => d.name === 'fashion-train')!;

// Follow from before the submit, so no event of the session is missed.
const { cursor } = await client.json<{ cursor: number }>('GET', '/api/v1/events/cursor');
let sessionId: string | undefined;
const early: SwarmEvent[] = [];
let exited!: (e: SwarmEvent<'session.exited'>) => void;
const exit = new Promise<SwarmEvent<'session.exited'>>((resolve) => {
  exited = resolve;
});
const epochs: Array<Record<string, number>> = [];
const firings: SwarmEvent<'rule.fired'>[] = [];
const promotions: SwarmEvent<'model.promoted'>[] = [];
const saved = new Set<number>();

function onEvent(e: SwarmEvent): void {
  if (sessionId === undefined) {
    early.push(e);
    return;
  }
  const mine = e.sessionId === sessionId;
  switch (e.type) {
    case 'session.epoch':
      if (!mine) return;
      epochs.push(e.data.metrics);
      console.log(
        `  epoch ${e.data.epoch}${e.data.total ? `/${e.data.total}` : ''}: loss ${fmt(e.data.metrics.loss)} ` +
          `acc ${fmt(e.data.metrics.accuracy)} val_loss ${fmt(e.data.metrics.val_loss)} ` +
          `val_acc ${fmt(e.data.metrics.val_accuracy)}`,
      );
      break;
    case 'generation.saved':
      if (e.data.model !== modelName || !mine) return;
      saved.add(e.data.generation);
      console.log(`  generation ${e.data.model}#${e.data.generation} saved`);
      break;
    case 'rule.fired':
      if (!mine) return;
      firings.push(e);
      console.log(
        `  rule fired: ${e.data.rule} (${e.data.kind}) → ${e.data.action} ${JSON.stringify(e.data.observed)}`,
      );
      break;
    case 'model.promoted':
      if (e.data.model !== modelName) return;
      promotions.push(e);
      console.log(
        `  ${e.data.model}#${e.data.generation} → ${e.data.stage}` +
          `${e.data.previous ? ` (was #${e.data.previous})` : ''}${e.data.reason ? `: ${e.data.reason}` : ''}`,
      );
      break;
    case 'session.stop-requested':
      if (mine) console.log(`  stop requested: ${e.data.reason}`);
      break;
    case 'session.log':
      if (mine && e.data.stream === 'stderr') for (const l of e.data.lines) console.log(`  ! ${l}`);
      break;
    case 'session.exited':
      if (!mine) return;
      console.log(
        `  session ${e.data.state} (exit ${e.data.exitCode ?? e.data.signal})${e.data.reason ? `: ${e.data.reason}` : ''}`,
      );
      exited(e as SwarmEvent<'session.exited'>);
      break;
    default:
      break;
  }
}

const follower = await followEvents(
  {
    client,
    after: cursor,
    types: [
      'session.epoch',
      'session.exited',
      'session.log',
      'session.stop-requested',
      'rule.fired',
      'generation.saved',
      'model.promoted',
    ],
  },
  onEvent,
);

// Settings for train.ts travel as FASHION_* variables.
const env = Object.fromEntries(
  Object.entries(process.env).filter(([k]) => k.startsWith('FASHION_')),
) as Record<string, string>;
const spec = {
  name: 'fashion-mnist',
  command: [process.execPath, '--import', 'tsx', here('./train.ts')],
  cwd: repoRoot,
  env,
  dataset: `fashion-train@${train.version}`,
  resources: { cpus: 1, memoryMb: 2048 },
};
let rulesActive = true;
let record: SessionRecord;
try {
  record = await client.json<SessionRecord>('POST', '/api/v1/sessions', { body: { ...spec, rules } });
} catch (err) {
  // A manager without the rules engine refuses the field; run without it and promote here instead.
  if (!(err instanceof InvalidError) || err.details.field !== 'rules') throw err;
  rulesActive = false;
  console.log('this manager does not take session rules: running without them, promoting here after the run');
  record = await client.json<SessionRecord>('POST', '/api/v1/sessions', { body: spec });
}
const sessionStart = Date.now();
console.log(
  `session ${record.id} submitted (${spec.dataset}, rules: ${rulesActive ? 'rules.json' : 'none'})`,
);
sessionId = record.id;
for (const e of early.splice(0)) onEvent(e);

// A follower that fails for good (manager gone, token refused) ends the wait with its error.
const end = await Promise.race([
  exit,
  follower.done.then(() => Promise.reject(new Error('the event stream closed before the session ended'))),
]);
const trainSeconds = (Date.now() - sessionStart) / 1000;
await follower.close();

// The accept rule may act when a generation is saved or when the session ends: wait a little for it.
const promotedHere = async () => {
  const page = await client.json<{ events: SwarmEvent<'model.promoted'>[] }>('GET', '/api/v1/events', {
    query: { model: modelName, type: 'model.promoted', after: cursor, limit: 1000 },
  });
  return page.events.filter((e) => saved.has(e.data.generation) && e.data.stage === 'production');
};
let promotedBy: 'rules' | 'run.ts' | 'earlier' | 'none' = 'none';
if (rulesActive && saved.size > 0) {
  for (let i = 0; i < 20 && (await promotedHere()).length === 0; i++) await sleep(500);
}
if ((await promotedHere()).length > 0) promotedBy = rulesActive ? 'rules' : 'run.ts';
else if (!rulesActive && saved.size > 0) promotedBy = await promoteBest((await modelView())!);
else if ((await modelView())?.production != null) promotedBy = 'earlier';

// Every generation the session saved, with its stage now, from the API.
const view = await modelView();
const mine = (view?.generationList ?? []).filter((g) => saved.has(g.generation));
console.log(`generations of ${modelName} from this session (GET /api/v1/models/${modelName}):`);
for (const g of mine) {
  console.log(
    `  #${g.generation} ${g.stage.padEnd(10)} val_acc ${fmt(g.metrics.val_accuracy)} val_loss ${fmt(g.metrics.val_loss)}`,
  );
}

// The rule firings as the API archived them.
const fired = await client.json<{ events: SwarmEvent<'rule.fired'>[] }>('GET', '/api/v1/events', {
  query: { session: record.id, type: 'rule.fired', limit: 100 },
});
console.log(`rule firings (GET /api/v1/events?session=${record.id}&type=rule.fired): ${fired.events.length}`);

let production: GenerationView | undefined;
let testAccuracy: number | undefined;
try {
  await initTf();
  const loaded = await loadGeneration(
    modelName,
    { stage: 'production' },
    { url: client.url, token: client.token },
  );
  production = loaded.generation;
  const model = await fromTfjsFiles(loaded.files);
  const test = pushed.find((d) => d.name === 'fashion-test')!;
  const reader = await openDataset('fashion-test', {
    version: test.version,
    batchSize: 2000,
    url: client.url,
    token: client.token,
  });
  testAccuracy = accuracy(model, await readExamples(reader));
  await reader.close();
} catch (err) {
  console.error(`no production generation to evaluate: ${(err as Error).message}`);
}

const wallSeconds = (Date.now() - t0) / 1000;
if (production && testAccuracy !== undefined) {
  console.log(
    `test accuracy ${testAccuracy.toFixed(4)} (t10k, production generation ${production.generation}, ` +
      `epochs ${epochs.length}, wall ${wallSeconds.toFixed(0)} s; training ${trainSeconds.toFixed(0)} s)`,
  );
}
const result = {
  sessionId: record.id,
  state: end.data.state,
  reason: end.data.reason ?? null,
  epochs: epochs.length,
  generations: mine.map((g) => ({ generation: g.generation, stage: g.stage, metrics: g.metrics })),
  productionGeneration: production?.generation ?? null,
  productionFromSession: production?.sessionId === record.id,
  testAccuracy: testAccuracy ?? null,
  rulesActive,
  ruleFirings: fired.events.map((e) => ({ rule: e.data.rule, kind: e.data.kind, action: e.data.action })),
  promotions: (await promotedHere()).map((p) => ({ generation: p.data.generation, stage: p.data.stage })),
  promotedBy,
  trainSeconds,
  wallSeconds,
};
console.log(`RESULT ${JSON.stringify(result)}`);
const ok = (end.data.state === 'succeeded' || end.data.state === 'stopped') && testAccuracy !== undefined;
process.exit(ok ? 0 : 1);

/**
 * Without the rules engine: what `accept: beatProductionBy 0` would do — the session's best generation by
 * val_accuracy goes to production if it beats the current holder.
 */
async function promoteBest(model: ModelView): Promise<'run.ts' | 'earlier' | 'none'> {
  const best = model.generationList
    .filter((g) => saved.has(g.generation))
    .filter((g) => Number.isFinite(g.metrics.val_accuracy))
    .sort((a, b) => b.metrics.val_accuracy! - a.metrics.val_accuracy!)[0];
  const current = model.generationList.find((g) => g.stage === 'production');
  if (!best) return current ? 'earlier' : 'none';
  if (current && (current.metrics.val_accuracy ?? -Infinity) >= best.metrics.val_accuracy!) return 'earlier';
  await models.setStage(
    modelName,
    best.generation,
    'production',
    `best val_accuracy of session ${sessionId} (promoted by run.ts)`,
  );
  console.log(
    `  ${modelName}#${best.generation} → production (best val_accuracy ${fmt(best.metrics.val_accuracy)})`,
  );
  return 'run.ts';
}
