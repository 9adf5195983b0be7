/** Rules: declarative per-session rules (stopIf, accept, onExit) and the engine that applies them to live events. */
export type { AcceptVerdict, Candidate, ModelControl } from './accept.js';
export type { ActionContext, SessionControl } from './actions.js';
export { RulesEngine, type RulesEngineDeps, type SessionRulesView } from './engine.js';
export {
  type AcceptRule,
  formatPath,
  type OnExitRule,
  parseRules,
  type RulesDoc,
  ruleName,
  rulesSchema,
  type StopAction,
  type StopRule,
} from './schema.js';
export type { Firing, SessionRuleState } from './state.js';
export { type Observation, observe, type StopRuleState, type StopVerdict } from './stop.js';
