/**
 * What the engine keeps in the store: one state document per session with rules (per-rule counters, whether it
 * was stopped, its firings, and the cursor of the last event that changed it) and the engine's resume cursor.
 */
import type { RulesDoc, StopAction } from '../api/index.js';
import type { TxOp } from '../store/index.js';
import { initialStopState, type StopRuleState } from './stop.js';

export const CURSOR_KEY = 'rules/engine/cursor';
export const stateKey = (sessionId: string): string => `rules/sessions/${sessionId}`;

/** What the engine forgets when a session is deleted: its rule state (counters and firings). */
export const rulesPurgeOps = async (sessionId: string): Promise<TxOp[]> => [
  { op: 'delete', key: stateKey(sessionId) },
];

export interface Firing {
  /** Cursor of the event that fired the rule. */
  cursor: number;
  time: number;
  rule: string;
  kind: string;
  action: string;
  observed: Record<string, unknown>;
  model?: string;
}

export interface SessionRuleState {
  sessionId: string;
  /** The last event applied to this state; events at or before it are never applied again. */
  cursor: number;
  /** One entry per stopIf rule, in order. */
  stopIf: StopRuleState[];
  /** Set once a stopIf rule fired; no stopIf rule is evaluated after that. */
  stopped: { rule: string; action: StopAction } | null;
  /** True once the onExit rule handled the session's exit. */
  exitHandled: boolean;
  firings: Firing[];
}

export const initialState = (sessionId: string, rules: RulesDoc): SessionRuleState => ({
  sessionId,
  cursor: 0,
  stopIf: (rules.stopIf ?? []).map(initialStopState),
  stopped: null,
  exitHandled: false,
  firings: [],
});
