/**
 * Wire protocol of a session's channel (`WS /api/v1/sessions/{id}/channel`), shared by the manager and the SDK.
 * Every frame is one binary MessagePack value. Types only (plus close codes), so the SDK can import it freely.
 *
 * session → manager: `hello` once, then `batch` frames numbered 1, 2, 3… per stream (one `session()` instance).
 * manager → session: `welcome` (the highest batch already stored for this stream, so a reconnecting client
 * drops what landed and resends the rest), `ack` after each batch is durable, `stop` when asked to stop.
 * The manager stores each batch's number with its data in one transaction, so a resent batch is never stored
 * twice — across a reconnect or a manager restart.
 */

export const CHANNEL_VERSION = 1;

/**
 * Metric points in columns: point `k` is `names[nameIndex[k]]`, `values[k]`, `steps[k]`, `times[k]` (ms).
 * `i` holds little-endian uint16 name indexes; `v`, `s`, `t` little-endian float64s; all the same length.
 */
export interface PackedPoints {
  n: string[];
  i: Uint8Array;
  v: Uint8Array;
  s: Uint8Array;
  t: Uint8Array;
}

/** What `session.hardware()` reports: the process's CPU/RAM, the machine's, and each visible GPU. */
export interface HardwareReport {
  host: string;
  pid: number;
  /** Process CPU use since the previous report, in percent of one core (200 = two cores busy). */
  cpuPercent: number;
  cpus: number;
  loadAverage: number[];
  rssMb: number;
  heapUsedMb: number;
  memoryTotalMb: number;
  memoryFreeMb: number;
  gpus: GpuReport[];
}

export interface GpuReport {
  index: number;
  name: string;
  utilizationPercent: number;
  memoryUsedMb: number;
  memoryTotalMb: number;
}

export type ChannelItem =
  | { k: 'epoch'; t: number; epoch: number; total?: number; metrics: Record<string, number> }
  | { k: 'log'; t: number; lines: string[] }
  | { k: 'hardware'; t: number; report: HardwareReport };

export interface ChannelHello {
  k: 'hello';
  v: number;
  /** Random id of this client instance; batch numbers are per stream. */
  stream: string;
  sdk: string;
  pid?: number;
  host?: string;
  rank?: number;
  worldSize?: number;
}

export interface ChannelBatch {
  k: 'batch';
  q: number;
  m?: PackedPoints;
  x?: ChannelItem[];
}

export type ChannelUp = ChannelHello | ChannelBatch;

export type ChannelDown =
  | { k: 'welcome'; acked: number; stop?: string }
  | { k: 'ack'; q: number }
  | { k: 'stop'; reason: string };

/** Close codes of both WebSockets (channel and events). 1001 (manager shutting down) and 1006 mean "reconnect". */
export const CloseCode = {
  /** Malformed frame, unknown message, or a batch number out of order: a client bug, do not retry. */
  badFrame: 4400,
  unauthorized: 4401,
  /** The manager refused a channel for this session (e.g. no such session). */
  refused: 4403,
  /** No `hello` within the allowed time. */
  helloTimeout: 4408,
  /** Another connection took over this stream. */
  replaced: 4409,
  /** Events stream: the client read too slowly; reconnect with `after=` the last cursor received. */
  slowConsumer: 4429,
  /** The manager could not store a batch; retry later. */
  unavailable: 4503,
} as const;

export type CloseCodeName = keyof typeof CloseCode;
