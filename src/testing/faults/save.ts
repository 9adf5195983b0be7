/**
 * Generation saves (safetensors of 64 KiB–4 MiB, each with an Idempotency-Key) with the kill landing mid-upload,
 * mid-check or mid-commit. After the restart the save that was cut off is retried with its key, as a client
 * would: every acknowledged generation reads back with its bytes, and no generation exists twice or half.
 */

import { safetensors } from '../../models/testing/formats.js';
import { ModelsClient } from '../../sdk/index.js';
import { between, floats, sha256 } from './payload.js';
import { repeat, type Scenario, type ScenarioContext } from './scenario.js';

const MODEL = 'fault-saves';

interface Save {
  key: string;
  bytes: Buffer;
  sha: string;
}

export function saveScenario(): Scenario {
  /** Generation → sha256 of its one file, for every acknowledged save. */
  const acked = new Map<number, string>();
  let fresh = new Set<number>();
  let inFlight: Save | undefined;
  let op = 0;
  const models = (ctx: ScenarioContext) => new ModelsClient(ctx.manager.client);

  async function save(ctx: ScenarioContext, s: Save): Promise<void> {
    const g = await models(ctx).saveGeneration({
      model: MODEL,
      type: 'fault/blob',
      format: 'safetensors',
      buffer: s.bytes,
      idempotencyKey: s.key,
    });
    acked.set(g.generation, s.sha);
    fresh.add(g.generation);
    ctx.acknowledge();
  }

  async function check(ctx: ScenarioContext, all: boolean): Promise<void> {
    const model = await models(ctx)
      .model(MODEL)
      .catch(() => undefined);
    const listed = new Set(model?.generations);
    for (const g of acked.keys())
      if (!listed.has(g)) ctx.violate('losses', `generation ${g} acknowledged, now missing`);
    const seen = new Map<string, number>();
    for (const g of listed) {
      const want = acked.get(g);
      if (want === undefined) ctx.violate('partial', `generation ${g}: no save made it`);
      const view = await models(ctx).generation(MODEL, g);
      const sha = view.files[0]?.sha256 ?? '';
      if (want !== undefined && sha !== want) ctx.violate('losses', `generation ${g}: other weights`);
      if (seen.has(sha)) ctx.violate('partial', `generation ${g}: same weights as ${seen.get(sha)}`);
      seen.set(sha, g);
      if (!all && !fresh.has(g)) continue;
      // loadGeneration checks every downloaded file against its recorded sha256.
      const loaded = await models(ctx)
        .loadGeneration(MODEL, { generation: g })
        .catch(() => undefined);
      if (!loaded || sha256(loaded.buffer) !== sha)
        ctx.violate('partial', `generation ${g}: unreadable weights`);
    }
    fresh = new Set();
  }

  return {
    windowMs: 2000,
    async drive(ctx, stop) {
      await repeat(stop, async () => {
        const values = floats(ctx.random, between(ctx.random, 16 << 10, 1 << 20));
        const bytes = safetensors([
          { name: 'w', dtype: 'F32', shape: [values.length], values: Array.from(values) },
        ]);
        inFlight = { key: `fault-save-${op++}`, bytes, sha: sha256(bytes) };
        await save(ctx, inFlight);
        inFlight = undefined;
      });
    },
    async check(ctx) {
      if (inFlight) await save(ctx, inFlight);
      inFlight = undefined;
      await check(ctx, false);
    },
    finish: (ctx) => check(ctx, true),
  };
}
