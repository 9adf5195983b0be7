/**
 * Stage changes under serving load: four clients keep calling the model's predict endpoint while generations are
 * promoted to production back to back, and the kill lands mid-promotion. After the restart exactly one generation
 * is in production — the last acknowledged one, or the one whose promotion was cut off — the history agrees, and
 * the server answers with it.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ModelView } from '../../api/index.js';
import { ModelsClient, type SwarmlabClient } from '../../sdk/index.js';
import { mlpOnnx, randomLayers } from '../../serving/testing/onnx-builder.js';
import { repeat, type Scenario, type ScenarioContext } from './scenario.js';

const MODEL = 'fault-served';
const GENERATIONS = 3;
const LOAD_CLIENTS = 4;
const SERVED_WITHIN_MS = 30_000;
const BODY = JSON.stringify({ instances: [[0.1, 0.2, 0.3, 0.4]] });

/** One predict call; the generation that answered, or undefined for an error (the manager may be down). */
async function predict(client: SwarmlabClient): Promise<string | undefined> {
  try {
    const res = await fetch(`${client.url}/v1/models/${MODEL}:predict`, {
      method: 'POST',
      headers: client.headers({ 'content-type': 'application/json' }),
      body: BODY,
    });
    await res.arrayBuffer();
    return res.ok ? (res.headers.get('x-swarmlab-generation') ?? undefined) : undefined;
  } catch {
    return undefined;
  }
}

export function stageScenario(): Scenario {
  let production = 1;
  let inFlight: number | undefined;
  /** Where the history was read up to, and the last generation it moved to production. */
  let historyAt = 0;
  let historyProduction: number | undefined;
  const models = (ctx: ScenarioContext) => new ModelsClient(ctx.manager.client);

  async function load(client: SwarmlabClient, stop: AbortSignal): Promise<void> {
    while (!stop.aborted) if ((await predict(client)) === undefined) await sleep(20);
  }

  /** The server answers with `want` within a while (it follows promotions through events). */
  async function serves(client: SwarmlabClient, want: number): Promise<boolean> {
    const deadline = Date.now() + SERVED_WITHIN_MS;
    while (Date.now() < deadline) {
      if ((await predict(client)) === String(want)) return true;
      await sleep(100);
    }
    return false;
  }

  function agree(ctx: ScenarioContext, model: ModelView): void {
    const holders = model.generationList.filter((g) => g.stage === 'production').map((g) => g.generation);
    if (holders.length !== 1 || holders[0] !== model.production)
      ctx.violate('partial', `production held by [${holders}], model says ${model.production}`);
  }

  return {
    windowMs: 2000,
    async setup(ctx) {
      for (let seed = 1; seed <= GENERATIONS; seed++) {
        await models(ctx).saveGeneration({
          model: MODEL,
          type: 'fault/mlp',
          format: 'onnx',
          buffer: mlpOnnx({ layers: randomLayers([4, 8, 3], seed) }),
        });
      }
      await models(ctx).setStage(MODEL, production, 'production');
    },
    async drive(ctx, stop) {
      const client = ctx.manager.client;
      const loads = Array.from({ length: LOAD_CLIENTS }, () => load(client, stop));
      await repeat(stop, async () => {
        const others = Array.from({ length: GENERATIONS }, (_, i) => i + 1).filter((g) => g !== production);
        inFlight = others[Math.floor(ctx.random() * others.length)]!;
        await models(ctx).setStage(MODEL, inFlight, 'production', `fault run #${ctx.iteration}`);
        production = inFlight;
        inFlight = undefined;
        ctx.acknowledge();
      });
      await Promise.all(loads);
    },
    async check(ctx) {
      const model = await models(ctx).model(MODEL);
      if (model.production !== production && model.production !== inFlight)
        ctx.violate('losses', `production is ${model.production}, acknowledged ${production}`);
      if (model.production !== null) production = model.production;
      inFlight = undefined;
      agree(ctx, model);
      for (;;) {
        const page = await models(ctx).history(MODEL, { after: historyAt, limit: 10_000 });
        if (page.entries.length === 0) break;
        historyAt = page.next;
        const last = page.entries.filter((e) => e.to === 'production').at(-1);
        if (last) historyProduction = last.generation;
      }
      if (historyProduction !== model.production)
        ctx.violate('partial', `history has ${historyProduction} in production, model ${model.production}`);
      if (!(await serves(ctx.manager.client, production)))
        ctx.violate('partial', `the server does not answer with production generation ${production}`);
    },
  };
}
