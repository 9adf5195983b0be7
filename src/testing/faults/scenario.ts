/** What a fault scenario is: operations a kill -9 lands in, and the invariants checked after the restart. */
import type { FaultManager } from './harness.js';

export const SCENARIOS = ['upload', 'save', 'stage', 'sessions'] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

/** Per scenario: what was done and every broken invariant (each violation also named in `violations`). */
export interface Tally {
  scenario: ScenarioName;
  iterations: number;
  /** Operations the manager answered with success before it was killed. */
  acknowledged: number;
  /** Acknowledged operations missing or changed after the restart. */
  losses: number;
  /** Half-done state visible through the API (a version or generation that does not read back whole, …). */
  partial: number;
  /** Session jobs that ran more than once. */
  doubleRuns: number;
  /** Processes of the scenario's sessions alive after they all ended or were stopped. */
  orphans: number;
  violations: string[];
}

export type Violation = 'losses' | 'partial' | 'doubleRuns' | 'orphans';

export interface ScenarioContext {
  manager: FaultManager;
  /** The run's seeded generator: same seed, same sizes, delays and choices. */
  random: () => number;
  iteration: number;
  /** Counts an acknowledged operation. */
  acknowledge(): void;
  /** Records a broken invariant. */
  violate(kind: Violation, what: string): void;
}

export interface Scenario {
  /** More `swarmlab up` flags. */
  flags?: string[];
  /** The kill lands at a uniformly random time in [0, windowMs) after `drive` starts. */
  windowMs: number;
  /** Once, on the first manager, before any kill. */
  setup?(ctx: ScenarioContext): Promise<void>;
  /** Issues operations back to back until `stop` is aborted; the one in flight when the kill lands fails. */
  drive(ctx: ScenarioContext, stop: AbortSignal): Promise<void>;
  /** On the restarted manager: every acknowledged operation intact, nothing partial. */
  check(ctx: ScenarioContext): Promise<void>;
  /** After the last iteration, on the running manager: wind down (stop sessions, count orphans). */
  finish?(ctx: ScenarioContext): Promise<void>;
}

/**
 * Runs `op` back to back until `stop` is aborted. An error after the abort is the kill landing (the operation in
 * flight is cut off, which is the point); one before it is a real failure and ends the loop with it.
 */
export async function repeat(stop: AbortSignal, op: () => Promise<void>): Promise<void> {
  while (!stop.aborted) {
    try {
      await op();
    } catch (err) {
      if (!stop.aborted) throw err;
    }
  }
}
