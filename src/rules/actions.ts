/**
 * What each watched event does to a session with rules: stopIf on metrics, accept on saved generations, onExit
 * on the exit. Each acts (stop, stage, flag, retry) and appends its firings; the engine records them.
 */
import type { Logger } from 'pino';
import type { RulesDoc } from '../api/index.js';
import { InvalidError, NotFoundError } from '../errors/index.js';
import type { SwarmEvent } from '../events/index.js';
import { judge, type ModelControl } from './accept.js';
import type { Firing, SessionRuleState } from './state.js';
import { observationsOf, observe } from './stop.js';

/** A rule's name in events and reasons: its own, else its place (`stopIf[1]`). */
const ruleName = (rule: { name?: string | undefined }, list: string, index: number): string =>
  rule.name ?? `${list}[${index}]`;

/** What the engine needs to know of a session and do to it (SessionManager has it). */
export interface SessionControl {
  get(id: string): Promise<{ id: string; rules?: RulesDoc; attempt?: number }>;
  stop(id: string, reason: string, options: { as: 'stopped' | 'rejected' }): Promise<unknown>;
  flag(id: string, flag: { rule: string; exitCode: number; at: number }): Promise<unknown>;
  /** Submits a copy of an ended session (idempotent: a session already retried returns its retry). */
  retry(id: string): Promise<{ id: string; attempt?: number }>;
}

export interface ActionContext {
  sessions: SessionControl;
  models: ModelControl;
  logger: Pick<Logger, 'warn' | 'error'>;
}

export async function onMetrics(
  ctx: ActionContext,
  id: string,
  rules: RulesDoc,
  st: SessionRuleState,
  e: SwarmEvent<'session.epoch' | 'session.metric'>,
  firings: Firing[],
): Promise<void> {
  const stopIf = rules.stopIf ?? [];
  if (stopIf.length === 0 || st.stopped) return;
  for (const o of observationsOf(e)) {
    for (const [i, rule] of stopIf.entries()) {
      if (rule.metric !== o.metric) continue;
      const verdict = observe(rule, st.stopIf[i]!, o);
      if (!verdict) continue;
      const name = ruleName(rule, 'stopIf', i);
      await ctx.sessions.stop(id, `rule ${name} (${rule.kind}): ${verdict.reason}`, {
        as: verdict.action === 'reject' ? 'rejected' : 'stopped',
      });
      st.stopped = { rule: name, action: verdict.action };
      firings.push(firing(e, name, rule.kind, verdict.action, verdict.observed));
      return;
    }
  }
}

/** Judges a saved generation against the accept rules and stages it (also the sweeps' best-trial promotion). */
export async function onGeneration(
  ctx: Pick<ActionContext, 'models' | 'logger'>,
  rules: RulesDoc,
  e: SwarmEvent<'generation.saved'>,
  firings: Firing[],
): Promise<void> {
  const accept = rules.accept ?? [];
  if (accept.length === 0) return;
  const candidate = { model: e.data.model, generation: e.data.generation, metrics: e.data.metrics };
  const verdicts = await judge(accept, candidate, ctx.models);
  // Production last, so a generation that qualifies for both stages ends in production.
  verdicts.sort((a, b) => Number(a.stage === 'production') - Number(b.stage === 'production'));
  for (const v of verdicts) {
    const name = ruleName(accept[v.index]!, 'accept', v.index);
    try {
      await ctx.models.setStage(
        candidate.model,
        candidate.generation,
        v.stage,
        `rule ${name}`,
        `rule:${name}`,
      );
    } catch (err) {
      // e.g. the generation was deleted meanwhile: nothing was staged, so nothing fired.
      if (!(err instanceof NotFoundError)) throw err;
      ctx.logger.warn({ err, rule: name, ...candidate }, 'accept rule could not stage');
      continue;
    }
    firings.push({
      ...firing(e, name, 'accept', `stage:${v.stage}`, v.observed),
      model: candidate.model,
    });
  }
}

export async function onExit(
  ctx: ActionContext,
  id: string,
  info: { attempt?: number },
  rules: RulesDoc,
  st: SessionRuleState,
  e: SwarmEvent<'session.exited'>,
  firings: Firing[],
): Promise<void> {
  const onExit = rules.onExit;
  const { state, exitCode } = e.data;
  if (!onExit || st.exitHandled || state !== 'failed' || exitCode === null || exitCode === 0) return;
  if (onExit.codes && !onExit.codes.includes(exitCode)) return;
  st.exitHandled = true;
  const attempt = info.attempt ?? 1;
  const retries = onExit.retry ?? 0;
  const observed = { exitCode, attempt, retries };
  if (onExit.flag ?? true) {
    await ctx.sessions.flag(id, { rule: 'onExit', exitCode, at: e.time });
    firings.push(firing(e, 'onExit', 'onExit', 'flag', observed));
  }
  if (attempt <= retries) {
    let next: { id: string };
    try {
      next = await ctx.sessions.retry(id);
    } catch (err) {
      // The copy cannot be submitted any more (e.g. no node could hold it now): flagged, not retried.
      if (!(err instanceof InvalidError)) throw err;
      ctx.logger.warn({ err, sessionId: id }, 'onExit rule could not retry');
      return;
    }
    firings.push(
      firing(e, 'onExit', 'onExit', 'retry', { ...observed, retryId: next.id, nextAttempt: attempt + 1 }),
    );
  }
}

function firing(
  e: SwarmEvent,
  rule: string,
  kind: string,
  action: string,
  observed: Record<string, unknown>,
): Firing {
  return { cursor: e.cursor, time: Date.now(), rule, kind, action, observed };
}
