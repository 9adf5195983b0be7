/** Rules: declarative per-session rules (stopIf, accept, onExit) and the engine that applies them to live events. */

export type { AcceptRule, OnExitRule, RulesDoc, StopAction, StopRule } from '../api/index.js';
export { formatPath, parseRules, rulesSchema } from '../api/rules.js';
export type { AcceptVerdict, Candidate, ModelControl } from './accept.js';
export { type ActionContext, onGeneration, type SessionControl } from './actions.js';
export { RulesEngine, type RulesEngineDeps, type SessionRulesView } from './engine.js';
export { type Firing, rulesPurgeOps, type SessionRuleState } from './state.js';
export {
  type Observation,
  observationsOf,
  observe,
  type StopRuleState,
  type StopVerdict,
} from './stop.js';
