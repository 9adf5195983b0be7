/**
 * stopIf rules, pure: each observation (a metric's value at an epoch or step) updates a rule's state and may
 * fire it. The state is plain data so it can be stored with the session's rule state and resumed.
 */
import type { StopAction, StopRule } from '../api/index.js';

export interface StopRuleState {
  /** noImprovement: best value so far and where it was seen. */
  best?: number;
  bestEpoch?: number;
  /** noImprovement: consecutive observations that did not improve on `best`. */
  stale: number;
}

export interface Observation {
  metric: string;
  value: number;
  /** The epoch (session.epoch) or step (session.metric point). */
  epoch: number;
}

export interface StopVerdict {
  observed: Record<string, unknown>;
  action: StopAction;
  /** One line for the session's `reason`. */
  reason: string;
}

export const initialStopState = (): StopRuleState => ({ stale: 0 });

/** JSON has no NaN or Infinity: such values are reported as their text. */
export const jsonNumber = (v: number): number | string => (Number.isFinite(v) ? v : String(v));

const fmt = (v: number) => (Number.isFinite(v) ? String(Number(v.toPrecision(6))) : String(v));

/** Applies one observation of the rule's metric; returns the verdict when the rule fires. */
export function observe(rule: StopRule, state: StopRuleState, o: Observation): StopVerdict | undefined {
  const action = rule.action ?? 'stop';
  const base = { metric: o.metric, value: jsonNumber(o.value), epoch: o.epoch };
  const at = `at epoch ${o.epoch}`;
  switch (rule.kind) {
    case 'nonFinite':
      if (Number.isFinite(o.value)) return undefined;
      return { observed: base, action, reason: `${o.metric} is ${o.value} ${at}` };
    case 'threshold': {
      if (o.epoch < (rule.fromEpoch ?? 0)) return undefined;
      const over = rule.above !== undefined && o.value > rule.above;
      const under = rule.below !== undefined && o.value < rule.below;
      if (!over && !under) return undefined;
      const bound = over ? `above ${rule.above}` : `below ${rule.below}`;
      return {
        observed: { ...base, ...(over ? { above: rule.above } : { below: rule.below }) },
        action,
        reason: `${o.metric} = ${fmt(o.value)} ${at} is ${bound}`,
      };
    }
    case 'interval': {
      if (o.epoch < (rule.fromEpoch ?? 0)) return undefined;
      const inside = o.value >= rule.min && (rule.max === undefined || o.value <= rule.max);
      if (inside) return undefined;
      const range = `[${rule.min}, ${rule.max ?? '∞'}]`;
      return {
        observed: { ...base, min: rule.min, ...(rule.max === undefined ? {} : { max: rule.max }) },
        action,
        reason: `${o.metric} = ${fmt(o.value)} ${at} is outside the acceptable interval ${range}`,
      };
    }
    case 'noImprovement': {
      const minDelta = rule.minDelta ?? 0;
      const improved =
        state.best === undefined
          ? Number.isFinite(o.value)
          : rule.mode === 'max'
            ? o.value > state.best + minDelta
            : o.value < state.best - minDelta;
      if (improved) {
        state.best = o.value;
        state.bestEpoch = o.epoch;
        state.stale = 0;
        return undefined;
      }
      state.stale++;
      if (state.stale < rule.patience) return undefined;
      const best = state.best === undefined ? null : state.best;
      return {
        observed: {
          ...base,
          best,
          bestEpoch: state.bestEpoch ?? null,
          epochsWithoutImprovement: state.stale,
          patience: rule.patience,
          minDelta,
        },
        action,
        reason:
          `${o.metric} did not improve (${rule.mode}${minDelta ? `, minDelta ${minDelta}` : ''}) for ` +
          `${state.stale} epochs; best ${best === null ? 'none' : fmt(best)} at epoch ${state.bestEpoch ?? '-'}`,
      };
    }
    default:
      return rule satisfies never;
  }
}

/** The observations an event carries for one metric name, in order. */
export function observationsOf(
  event:
    | { type: 'session.epoch'; data: { epoch: number; metrics: Record<string, number> } }
    | { type: 'session.metric'; data: { points: [string, number, number, number][] } },
): Observation[] {
  if (event.type === 'session.epoch') {
    return Object.entries(event.data.metrics).map(([metric, value]) => ({
      metric,
      value,
      epoch: event.data.epoch,
    }));
  }
  return event.data.points.map(([metric, value, step]) => ({ metric, value, epoch: step }));
}
