/** Comparing sessions on the wire: params, metric summaries and downsampled series of several sessions at once. */
import type { SessionState } from './events.js';
import type { MetricSummary, ParamValue } from './sessions.js';

export interface CompareOptions {
  /** Only these metrics (default all). */
  metrics?: string[];
  /** Points per series at most (min/max-preserving downsampling; default 200). */
  maxPoints?: number;
}

export interface ComparedSession {
  id: string;
  name: string;
  state: SessionState;
  project?: string;
  tags: string[];
  params: Record<string, ParamValue>;
  metrics: Record<string, MetricSummary>;
  series: Record<string, { step: number[]; value: number[] }>;
}

export interface Comparison {
  /** In the order the ids were asked for. */
  sessions: ComparedSession[];
  /** Param names whose value differs between the sessions (missing counts as a value), sorted. */
  params: string[];
}
