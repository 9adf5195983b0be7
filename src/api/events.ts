/** The typed union of every event Swarmlab archives and streams, and the pages the events API returns. */

/** Session states: `queued → placed → starting → running → succeeded | failed | stopped | rejected | lost`. */
export type SessionState =
  | 'queued'
  | 'placed'
  | 'starting'
  | 'running'
  | 'succeeded'
  | 'failed'
  | 'stopped'
  | 'rejected'
  | 'lost';

export const ACTIVE_STATES = ['queued', 'placed', 'starting', 'running'] as const;
export const TERMINAL_STATES = ['succeeded', 'failed', 'stopped', 'rejected', 'lost'] as const;
export const SESSION_STATES: readonly SessionState[] = [...ACTIVE_STATES, ...TERMINAL_STATES];

/** True once a session has ended (no transition leaves these states). */
export const isTerminal = (s: SessionState): boolean => (TERMINAL_STATES as readonly string[]).includes(s);

/** One metric observation: name, value, step (epoch or iteration), time in ms. */
export type MetricPoint = [name: string, value: number, step: number, time: number];

/** Payload per event type. Add a type here first; the union below follows. */
export interface EventPayloads {
  'session.submitted': { name: string; priority: number; pool: string; dataset?: string };
  /** `ranks`: a gang's node per rank (the rest describes rank 0 and the per-rank grant). */
  'session.placed': { node: string; gpus: number[]; cpus: number; memoryMb: number; ranks?: string[] };
  'session.starting': { executor: string };
  'session.started': {
    pid?: number;
    executor?: string;
    containerId?: string;
    serviceId?: string;
    attached?: boolean;
  };
  'session.epoch': { epoch: number; total?: number; metrics: Record<string, number> };
  'session.metric': { points: MetricPoint[] };
  /** `rank`: the rank that wrote the lines, in a gang session. */
  'session.log': { stream: 'stdout' | 'stderr' | 'sdk'; lines: string[]; rank?: number };
  'session.hardware': Record<string, unknown>;
  /** A session's SDK opened its channel to the manager (`resumed`: a reconnect of a known stream). */
  'session.connected': {
    stream: string;
    sdk: string;
    resumed: boolean;
    pid?: number;
    host?: string;
    rank?: number;
    worldSize?: number;
    /** `http` for a stream reported over HTTP + JSON; absent for the WebSocket channel. */
    transport?: 'http';
  };
  /** A session's channel closed (the SDK reconnects unless the session ended). */
  'session.disconnected': { stream: string; code: number; reason: string };
  'session.demoted': { pool: string; priority: number; reason: string };
  'session.stop-requested': { reason: string };
  'session.exited': {
    state: SessionState;
    exitCode: number | null;
    signal: string | null;
    reason?: string;
    oomKilled?: boolean;
    /** In a gang: the rank whose exit ended the session. */
    rank?: number;
  };
  /** A session and everything it recorded were deleted; its own events are gone from the archive. */
  'session.deleted': { id: string; name: string };
  'dataset.pushed': { name: string; version: number; rows: number; bytes: number };
  /** `actor`: who deleted it (see `WhoAmI.actor`). */
  'dataset.deleted': { name: string; version: number; actor?: string };
  'generation.saved': { model: string; generation: number; metrics: Record<string, number> };
  'generation.deleted': { model: string; generation: number; reason: string; actor?: string };
  /** A generation changed stage (`from` → `stage`); `previous` held `stage` before and is archived by it. */
  'model.promoted': {
    model: string;
    generation: number;
    stage: string;
    previous?: number;
    from?: string;
    reason?: string;
    /** Who changed the stage: an API caller (see `WhoAmI.actor`) or `rule:<name>`. */
    actor?: string;
  };
  'token.created': { id: string; name: string; role: string; actor: string };
  'token.revoked': { id: string; name: string; role: string; actor: string };
  'rule.fired': { rule: string; kind: string; observed: Record<string, unknown>; action: string };
  'node.joined': { node: string };
  'node.lost': { node: string; reason: string };
}

export type EventType = keyof EventPayloads;

/** What a producer hands to the archive; `cursor` and `time` are filled in on append. */
export type NewEvent<K extends EventType = EventType> = K extends EventType
  ? { type: K; sessionId?: string; model?: string; data: EventPayloads[K]; time?: number }
  : never;

/** An archived event: its cursor is its id, strictly increasing, never reused. */
export type SwarmEvent<K extends EventType = EventType> = K extends EventType
  ? { cursor: number; time: number; type: K; sessionId?: string; model?: string; data: EventPayloads[K] }
  : never;

export interface EventFilter {
  sessionId?: string;
  /** Exact types, or prefixes ending in `.` or `*` (e.g. `session.*`). */
  types?: string[];
  model?: string;
}

/** `GET /api/v1/events`. */
export interface EventPage {
  events: SwarmEvent[];
  /** Cursor to pass as `after` for the next page (the last entry scanned, matching or not). */
  next: number;
}
