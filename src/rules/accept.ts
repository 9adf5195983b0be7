/**
 * accept rules: a generation this session saved is compared with the model's current production generation
 * (its recorded metrics, optionally its weights) and, when every condition a rule gives holds, staged.
 */

import type { AcceptRule } from '../api/index.js';
import { NotFoundError } from '../errors/index.js';
import { jsonNumber } from './stop.js';

/** What the engine needs from the model registry (ModelRegistry has it). */
export interface ModelControl {
  generation(
    name: string,
    ref: number | 'production',
  ): Promise<{ generation: number; metrics: Record<string, number> }>;
  setStage(
    name: string,
    ref: number,
    to: 'staging' | 'production',
    reason?: string,
    actor?: string,
  ): Promise<{ changes: unknown[] }>;
  diff(
    name: string,
    a: number | 'production',
    b: number,
  ): Promise<{ summary: { relativeChange: number | null } }>;
}

export interface Candidate {
  model: string;
  generation: number;
  metrics: Record<string, number>;
}

export interface AcceptVerdict {
  index: number;
  stage: 'staging' | 'production';
  observed: Record<string, unknown>;
}

type Production = { generation: number; metrics: Record<string, number> } | null;

async function productionOf(models: ModelControl, c: Candidate): Promise<Production> {
  try {
    const p = await models.generation(c.model, 'production');
    // The candidate itself holds production only when a firing was applied and not yet recorded (crash
    // between the two): there is then nothing else to beat.
    return p.generation === c.generation ? null : p;
  } catch (err) {
    if (err instanceof NotFoundError) return null;
    throw err;
  }
}

/**
 * Every rule that qualifies, judged against the same production snapshot (taken before any of them is
 * applied). The weights diff is computed at most once, and only when a rule that asks for it still qualifies.
 */
export async function judge(
  rules: readonly AcceptRule[],
  c: Candidate,
  models: ModelControl,
): Promise<AcceptVerdict[]> {
  const applicable = rules
    .map((rule, index) => ({ rule, index }))
    .filter(({ rule }) => rule.model === undefined || rule.model === c.model);
  if (applicable.length === 0) return [];
  const production = await productionOf(models, c);
  let relative: Promise<number | null> | undefined;
  const relativeChange = () => {
    relative ??= models
      .diff(c.model, production!.generation, c.generation)
      .then((d) => d.summary.relativeChange);
    return relative;
  };
  const out: AcceptVerdict[] = [];
  for (const { rule, index } of applicable) {
    const value = c.metrics[rule.metric];
    if (value === undefined || !Number.isFinite(value)) continue;
    const observed: Record<string, unknown> = {
      metric: rule.metric,
      value: jsonNumber(value),
      generation: c.generation,
      production: production?.generation ?? null,
    };
    if (rule.atLeast !== undefined && !(value >= rule.atLeast)) continue;
    if (rule.atMost !== undefined && !(value <= rule.atMost)) continue;
    if (rule.beatProductionBy !== undefined && production) {
      const prod = production.metrics[rule.metric];
      if (prod !== undefined && Number.isFinite(prod)) {
        const gain = (rule.mode ?? 'max') === 'max' ? value - prod : prod - value;
        observed.productionValue = prod;
        observed.improvement = gain;
        // "Beats by at least delta": a strict gain, and at least delta of it.
        if (!(gain > 0 && gain >= rule.beatProductionBy)) continue;
      }
    }
    if (rule.weightsDiff && production) {
      const { minRelativeChange: min, maxRelativeChange: max } = rule.weightsDiff;
      // null: production's weights are all zero, so any change is an unbounded relative change.
      const r = (await relativeChange()) ?? Number.POSITIVE_INFINITY;
      observed.relativeChange = jsonNumber(r);
      if (min !== undefined && !(r >= min)) continue;
      if (max !== undefined && !(r <= max)) continue;
    }
    out.push({ index, stage: rule.stage, observed });
  }
  return out;
}
