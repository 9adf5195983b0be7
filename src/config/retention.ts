/** Retention settings: what the user passes (`--retain-events 30d`, `--keep-best 3:metric.loss.min`), compiled. */
import { type Order, parseOrder } from '../api/index.js';
import { ConfigError } from '../errors/index.js';
import { parseCount, parseDuration } from './parse.js';

/** As given on the command line, in the environment or in code; every one optional (absent = keep forever). */
export interface RetentionOptions {
  /** Events older than this leave the archive (e.g. `30d`). */
  retainEvents?: number | string;
  /** The archive keeps at most this many newest events (`2M`, `500k`, `100000`). */
  maxEvents?: number | string;
  /** Session output lines older than this are dropped. */
  retainLogs?: number | string;
  /** Each session keeps at most this many newest output lines. */
  maxLogLines?: number | string;
  /** Metric batches (one report of points each) older than this are dropped. */
  retainMetrics?: number | string;
  /** Each session keeps at most this many newest metric batches. */
  maxMetricBatches?: number | string;
  /** Ended sessions older than this are deleted with everything they own. */
  retainSessions?: number | string;
  /** `K:ORDER`: the best K sessions of each project by a session order are never deleted by `retainSessions`. */
  keepBest?: string;
  /** Time between retention passes. */
  retentionInterval?: number | string;
}

/** One log's bounds: entries older than `maxAgeMs` go, and all but the newest `maxEntries`. */
export interface LogRetention {
  maxAgeMs?: number;
  maxEntries?: number;
}

export interface SessionRetention {
  olderThanMs?: number;
  keepBest?: {
    count: number;
    order: Order /** The order as written (`metric.val_loss.min`). */;
    orderText: string;
  };
}

export interface RetentionConfig {
  events: LogRetention;
  logs: LogRetention;
  metrics: LogRetention;
  sessions: SessionRetention;
  intervalMs: number;
}

export const RETENTION_INTERVAL = '1m';

const duration = (value: number | string | undefined, field: string): number | undefined =>
  value === undefined ? undefined : parseDuration(value, field);

const count = (value: number | string | undefined, field: string): number | undefined =>
  value === undefined ? undefined : parseCount(value, field);

function keepBest(spec: string | undefined, olderThanMs: number | undefined): SessionRetention['keepBest'] {
  if (spec === undefined) return undefined;
  const fail = (why: string) =>
    new ConfigError(`--keep-best: "${spec}" ${why}`, { details: { field: 'keep-best' } });
  // Protection only makes sense against a deletion: without an age, nothing would be deleted to protect from.
  if (olderThanMs === undefined) throw fail('needs --retain-sessions (it protects sessions from it)');
  const colon = spec.indexOf(':');
  if (colon < 0) throw fail('is not K:ORDER (e.g. 3:metric.val_loss.min, 5:-metric.accuracy.max)');
  const order = (() => {
    try {
      return parseOrder(spec.slice(colon + 1));
    } catch {
      throw fail('has no valid ORDER after the colon ([-]metric.NAME[.last|.min|.max], [-]param.NAME, …)');
    }
  })();
  return { count: parseCount(spec.slice(0, colon), '--keep-best'), order, orderText: spec.slice(colon + 1) };
}

/** Compiles and checks every retention option, naming the flag of a bad one. */
export function retentionConfig(o: RetentionOptions): RetentionConfig {
  const olderThanMs = duration(o.retainSessions, '--retain-sessions');
  const best = keepBest(o.keepBest, olderThanMs);
  return {
    events: bounds(duration(o.retainEvents, '--retain-events'), count(o.maxEvents, '--max-events')),
    logs: bounds(duration(o.retainLogs, '--retain-logs'), count(o.maxLogLines, '--max-log-lines')),
    metrics: bounds(
      duration(o.retainMetrics, '--retain-metrics'),
      count(o.maxMetricBatches, '--max-metric-batches'),
    ),
    sessions: {
      ...(olderThanMs !== undefined ? { olderThanMs } : {}),
      ...(best ? { keepBest: best } : {}),
    },
    intervalMs: duration(o.retentionInterval ?? RETENTION_INTERVAL, '--retention-interval')!,
  };
}

const bounds = (maxAgeMs: number | undefined, maxEntries: number | undefined): LogRetention => ({
  ...(maxAgeMs !== undefined ? { maxAgeMs } : {}),
  ...(maxEntries !== undefined ? { maxEntries } : {}),
});

/** `SWARMLAB_RETAIN_EVENTS` … : the environment's retention options. */
export function retentionFromEnv(env: NodeJS.ProcessEnv): RetentionOptions {
  const out: RetentionOptions = {};
  const vars: Array<[keyof RetentionOptions, string]> = [
    ['retainEvents', 'SWARMLAB_RETAIN_EVENTS'],
    ['maxEvents', 'SWARMLAB_MAX_EVENTS'],
    ['retainLogs', 'SWARMLAB_RETAIN_LOGS'],
    ['maxLogLines', 'SWARMLAB_MAX_LOG_LINES'],
    ['retainMetrics', 'SWARMLAB_RETAIN_METRICS'],
    ['maxMetricBatches', 'SWARMLAB_MAX_METRIC_BATCHES'],
    ['retainSessions', 'SWARMLAB_RETAIN_SESSIONS'],
    ['keepBest', 'SWARMLAB_KEEP_BEST'],
    ['retentionInterval', 'SWARMLAB_RETENTION_INTERVAL'],
  ];
  for (const [key, name] of vars) if (env[name]) out[key] = env[name];
  return out;
}
