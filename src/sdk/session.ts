/**
 * The session client a training script uses: `const s = await session()` reads the session's environment,
 * opens one WebSocket to the manager and sends epochs, metric points, log lines and hardware reports in
 * numbered MessagePack batches (every ~50 ms, or sooner when a batch fills). Batches stay queued until the
 * manager acknowledges them; after a reconnect the unacknowledged ones are resent and the manager drops any
 * it already stored, so nothing is lost or stored twice. `await s.close()` returns once all of it is stored.
 */
import { hostname } from 'node:os';
import { basename } from 'node:path';
import { Packr, Unpackr } from 'msgpackr';
import type WebSocket from 'ws';
import {
  type Artifact,
  type ChannelDown,
  type ChannelHello,
  type GenerationView,
  type HardwareReport,
  type ParamValue,
  PREEMPTED,
  paths,
  type ResumeInfo,
} from '../api/index.js';
import { ConfigError, NotFoundError, type SwarmlabError } from '../errors/index.js';
import { VERSION } from '../util/version.js';
import { ArtifactsClient } from './artifacts.js';
import { SwarmlabClient } from './client.js';
import { backoff, type Dropped, fatalError, openSocket, unavailable, wsUrl } from './connect.js';
import { HardwareProbe } from './hardware.js';
import {
  type GenerationSelector,
  type LoadedGeneration,
  ModelsClient,
  type SaveGenerationOptions,
} from './models.js';
import { Outbox } from './outbox.js';
import { type ExperimentInfo, experimentInfo } from './session-params.js';
import { SessionsClient } from './sessions.js';

export interface SessionOptions {
  /** Default `SWARMLAB_URL`. */
  url?: string;
  /** Default `SWARMLAB_TOKEN`. */
  token?: string;
  /** Default `SWARMLAB_SESSION_ID`. */
  sessionId?: string;
  /** Where the `SWARMLAB_*` variables are read (default `process.env`). */
  env?: NodeJS.ProcessEnv;
  /** Longest a report waits before its batch is sent (default 50 ms). */
  flushIntervalMs?: number;
  /** Points per batch (default 16,384; the manager accepts up to 131,072). */
  maxBatchPoints?: number;
  /**
   * Points + other reports kept until the manager stores them (default 1,000,000). When full — the manager is
   * unreachable for long, or a script reports faster than it can store — new reports are dropped and counted
   * in `stats.dropped` (one warning is printed); what is already queued is kept and delivered in order.
   */
  maxQueued?: number;
  /** Batches sent and not yet acknowledged (default 8). */
  maxInFlight?: number;
  /** How long `session()` waits for the first connection (default 30 s). */
  connectTimeoutMs?: number;
  /** How long `close()` waits for the manager to store the last reports (default 30 s). */
  closeTimeoutMs?: number;
  /** Keep-alive ping period; a manager that misses one ping is reconnected to (default 15 s). */
  pingIntervalMs?: number;
}

/** What the session's environment says about it (the session contract, see README). */
export interface SessionInfo {
  id: string;
  url: string;
  rank: number;
  worldSize: number;
  dataset: string | undefined;
  outputDir: string | undefined;
  device: 'cpu' | 'gpu';
  /** SWARMLAB_ATTEMPT: 1, or more for a retried or resubmitted (preempted) session. */
  attempt: number;
  /** SWARMLAB_RETRY_OF: the session this one repeats, if any. */
  retryOf: string | undefined;
}

export interface SessionStats {
  /** Points + reports not yet stored by the manager. */
  queued: number;
  /** Reports dropped because the queue was full. */
  dropped: number;
  /** Highest batch number the manager stored. */
  acked: number;
  reconnects: number;
}

export type ConnectionState = 'connecting' | 'open' | 'closed' | 'failed';

type StopListener = (reason: string) => void | Promise<void>;

interface Waiter {
  target: number;
  resolve: () => void;
  reject: (err: Error) => void;
}

const defaults = {
  flushIntervalMs: 50,
  maxBatchPoints: 16_384,
  maxQueued: 1_000_000,
  maxInFlight: 8,
  connectTimeoutMs: 30_000,
  closeTimeoutMs: 30_000,
  pingIntervalMs: 15_000,
};

const packr = new Packr({ useRecords: false });
const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true });

function sessionInfo(options: SessionOptions, env: NodeJS.ProcessEnv, url: string): SessionInfo {
  const id = options.sessionId ?? env.SWARMLAB_SESSION_ID;
  if (!id) {
    throw new ConfigError('not inside a Swarmlab session: SWARMLAB_SESSION_ID is not set', {
      details: { field: 'SWARMLAB_SESSION_ID' },
    });
  }
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(id)) {
    throw new ConfigError(`SWARMLAB_SESSION_ID: "${id}" is not 1–64 of [A-Za-z0-9_-]`, {
      details: { field: 'SWARMLAB_SESSION_ID' },
    });
  }
  const int = (v: string | undefined, fallback: number) => (v && /^\d+$/.test(v) ? Number(v) : fallback);
  return {
    id,
    url,
    rank: int(env.SWARMLAB_RANK, 0),
    worldSize: int(env.SWARMLAB_WORLD_SIZE, 1),
    dataset: env.SWARMLAB_DATASET || undefined,
    outputDir: env.SWARMLAB_OUTPUT_DIR || undefined,
    device: env.SWARMLAB_DEVICE === 'gpu' ? 'gpu' : 'cpu',
    attempt: Math.max(1, int(env.SWARMLAB_ATTEMPT, 1)),
    retryOf: env.SWARMLAB_RETRY_OF || undefined,
  };
}

/** SWARMLAB_GPU_MEMORY_FRACTION as a number in [0, 1]; 0 when unset or not one. */
function gpuMemoryFraction(v: string | undefined): number {
  const n = Number(v);
  return v && n >= 0 && n <= 1 ? n : 0;
}

export class SessionClient {
  readonly info: SessionInfo;
  /**
   * Share of each granted GPU's memory the session may use (SWARMLAB_GPU_MEMORY_FRACTION; 0 without GPUs). No Node
   * framework reads it by itself: hand it to the GPU library's memory limit.
   */
  readonly gpuMemoryFraction: number;
  readonly #experiment: ExperimentInfo;
  readonly #opts: typeof defaults;
  readonly #client: SwarmlabClient;
  readonly #stream = crypto.randomUUID().replaceAll('-', '');
  readonly #outbox: Outbox;
  readonly #probe = new HardwareProbe();
  readonly #steps = new Map<string, number>();
  readonly #stopListeners = new Set<StopListener>();
  #waiters: Waiter[] = [];
  /** Referenced while a flush is awaited, so a script whose only pending work is `await s.flush()` stays alive. */
  #keepAlive: NodeJS.Timeout | undefined;
  #ws: WebSocket | undefined;
  #state: ConnectionState = 'connecting';
  #ready = false;
  /** Highest batch number sent on the current connection. */
  #sent = 0;
  #attempt = 0;
  #reconnects = 0;
  #flushTimer: NodeJS.Timeout | undefined;
  #pingTimer: NodeJS.Timeout | undefined;
  #reconnectTimer: NodeJS.Timeout | undefined;
  #failure: SwarmlabError | undefined;
  #firstOpen: { resolve: () => void; reject: (err: Error) => void } | undefined;
  #closing: Promise<void> | undefined;
  #warnedFull = false;
  #stopReason: string | undefined;
  readonly #onBeforeExit = () => {
    this.close().catch(() => {});
  };

  constructor(options: SessionOptions = {}) {
    const env = options.env ?? process.env;
    this.#client = new SwarmlabClient({ url: options.url, token: options.token }, env);
    this.info = sessionInfo(options, env, this.#client.url);
    this.gpuMemoryFraction = gpuMemoryFraction(env.SWARMLAB_GPU_MEMORY_FRACTION);
    this.#experiment = experimentInfo(env);
    this.#opts = { ...defaults, ...stripUndefined(options) };
    this.#outbox = new Outbox({
      maxBatchPoints: Math.min(this.#opts.maxBatchPoints, 131_072),
      maxQueued: this.#opts.maxQueued,
    });
  }

  get id(): string {
    return this.info.id;
  }

  /** The session's params: those submitted (SWARMLAB_PARAMS) and those added since by `addParams`. */
  get params(): Readonly<Record<string, ParamValue>> {
    return this.#experiment.params;
  }

  /** SWARMLAB_PROJECT, or undefined. */
  get project(): string | undefined {
    return this.#experiment.project;
  }

  /** SWARMLAB_TAGS. */
  get tags(): readonly string[] {
    return this.#experiment.tags;
  }

  /**
   * Records params the job discovered (a resolved batch size, the GPU model…). New names only: a name already
   * set to a different value is a ConflictError (submitted params are immutable); the same value is a no-op.
   */
  async addParams(params: Record<string, ParamValue>): Promise<void> {
    const record = await new SessionsClient(this.#client).addParams(this.id, params);
    Object.assign(this.#experiment.params, record.params);
  }

  get state(): ConnectionState {
    return this.#state;
  }

  /**
   * Declares this job restartable: on a stop request with reason `preempted` (see `preempted`) it saves what it
   * needs (a generation, or a file in SWARMLAB_OUTPUT_DIR) and exits, and its next attempt resumes from it
   * (`resume`, `resumeArtifact`). Once the long-run rule demotes it, the manager may then preempt it for waiting
   * work of higher priority and resubmit it with `attempt` + 1.
   */
  async checkpointable(): Promise<void> {
    await new SessionsClient(this.#client).checkpointable(this.id);
  }

  /** True once the manager asked this session to stop to make room for other work; it will be resubmitted. */
  get preempted(): boolean {
    return this.#stopReason === PREEMPTED;
  }

  /** What this session's earlier attempts left: their artifacts, and with `model` its newest generation they saved. */
  resume(model?: string): Promise<ResumeInfo> {
    return new ArtifactsClient(this.#client).resume(this.id, model);
  }

  /**
   * Downloads the newest earlier attempt's artifact `path` to the file `to`; false (and no file) when no earlier
   * attempt left one, as on a first attempt.
   */
  async resumeArtifact(path: string, to: string): Promise<boolean> {
    if (this.info.retryOf === undefined) return false;
    try {
      await new ArtifactsClient(this.#client).downloadResumed(this.id, path, to);
      return true;
    } catch (err) {
      if (err instanceof NotFoundError) return false;
      throw err;
    }
  }

  /** True once the manager asked this session to stop. */
  get stopRequested(): boolean {
    return this.#stopReason !== undefined;
  }

  get stopReason(): string | undefined {
    return this.#stopReason;
  }

  get stats(): SessionStats {
    return {
      queued: this.#outbox.queued,
      dropped: this.#outbox.dropped,
      acked: this.#outbox.acked,
      reconnects: this.#reconnects,
    };
  }

  /** Opens the channel; resolves on the manager's welcome. Used by `session()`. */
  async connect(): Promise<this> {
    const opened = new Promise<void>((resolve, reject) => {
      this.#firstOpen = { resolve, reject };
    });
    const timer = setTimeout(() => {
      this.#fail(
        unavailable(
          this.info.url,
          `session ${this.id} could not connect within ${this.#opts.connectTimeoutMs} ms`,
        ),
      );
    }, this.#opts.connectTimeoutMs);
    this.#open();
    try {
      await opened;
    } finally {
      clearTimeout(timer);
    }
    process.on('beforeExit', this.#onBeforeExit);
    return this;
  }

  /** Records one epoch's summary metrics (also stored as series points with `step = epoch`). */
  epoch(epoch: number, metrics: Record<string, number> = {}, options: { total?: number } = {}): void {
    this.#item({
      k: 'epoch',
      t: Date.now(),
      epoch,
      metrics,
      ...(options.total === undefined ? {} : { total: options.total }),
    });
  }

  /** Records one metric point; `step` defaults to the previous step of this name + 1 (from 0). */
  metric(name: string, value: number, step?: number): void {
    if (typeof name !== 'string' || name.length === 0 || name.length > 256) {
      throw new TypeError(`metric name must be a 1–256 character string, got ${JSON.stringify(name)}`);
    }
    if (typeof value !== 'number') throw new TypeError(`metric ${name}: value must be a number`);
    const s = step ?? (this.#steps.get(name) ?? -1) + 1;
    this.#steps.set(name, s);
    if (this.#state === 'failed' || this.#state === 'closed') return;
    if (!this.#outbox.addPoint(name, value, s, Date.now())) {
      this.#warnFull();
      return;
    }
    if (this.#outbox.full) this.#seal();
    else this.#armFlush();
  }

  /** Records several metrics at one step. */
  metrics(values: Record<string, number>, step?: number): void {
    for (const [name, value] of Object.entries(values)) this.metric(name, value, step);
  }

  /** Sends a log line to the session's timeline (stream `sdk`). */
  log(...parts: unknown[]): void {
    const text = parts.map((p) => (typeof p === 'string' ? p : JSON.stringify(p))).join(' ');
    this.#item({ k: 'log', t: Date.now(), lines: text.split('\n') });
  }

  /** Measures and sends the process's CPU/RAM use and the GPUs' (via nvidia-smi when present). */
  async hardware(): Promise<HardwareReport> {
    const report = await this.#probe.report();
    this.#item({ k: 'hardware', t: Date.now(), report });
    return report;
  }

  /** Saves a model generation with this session's lineage (its id and dataset); see `ModelsClient`. */
  saveGeneration(options: SaveGenerationOptions): Promise<GenerationView> {
    const lineage = { sessionId: this.id, ...(this.info.dataset ? { dataset: this.info.dataset } : {}) };
    return new ModelsClient(this.#client, {}).saveGeneration({ ...lineage, ...options });
  }

  /**
   * Stores a file (streamed) as an artifact of this session, under `name` (default: the file's name). Files left
   * in SWARMLAB_OUTPUT_DIR are kept without this when the session ends, if the manager can read that dir.
   */
  artifact(file: string, name?: string): Promise<Artifact> {
    return new ArtifactsClient(this.#client).upload(this.id, name ?? basename(file), file);
  }

  /** Loads a generation's files by stage (default production) or number; see `ModelsClient`. */
  loadGeneration(name: string, selector: GenerationSelector = {}): Promise<LoadedGeneration> {
    return new ModelsClient(this.#client, {}).loadGeneration(name, selector);
  }

  /** Calls `listener` when the manager asks this session to stop (at once if it already has). */
  onStop(listener: StopListener): () => void {
    this.#stopListeners.add(listener);
    if (this.#stopReason !== undefined) this.#callStop(listener, this.#stopReason);
    return () => this.#stopListeners.delete(listener);
  }

  /** Resolves once everything reported so far is stored by the manager. */
  flush(): Promise<void> {
    if (this.#failure) return Promise.reject(this.#failure);
    this.#seal();
    const target = this.#outbox.sealed;
    if (this.#outbox.acked >= target) return Promise.resolve();
    this.#keepAlive ??= setInterval(() => {}, 60_000);
    return new Promise((resolve, reject) => this.#waiters.push({ target, resolve, reject }));
  }

  /**
   * Delivers everything (waiting up to `closeTimeoutMs`), then closes the connection. Idempotent. Rejects
   * with UnavailableError when reports could not be delivered in time, after dropping them.
   */
  close(): Promise<void> {
    this.#closing ??= (async () => {
      process.off('beforeExit', this.#onBeforeExit);
      let timer: NodeJS.Timeout | undefined;
      try {
        // A referenced timer keeps the process alive while the last batches travel.
        const timeout = new Promise<never>((_, reject) => {
          timer = setTimeout(
            () =>
              reject(
                unavailable(
                  this.info.url,
                  `${this.#outbox.queued} reports of session ${this.id} not delivered`,
                ),
              ),
            this.#opts.closeTimeoutMs,
          );
        });
        await Promise.race([this.flush(), timeout]);
      } finally {
        clearTimeout(timer);
        this.#shutdown('closed');
      }
    })();
    return this.#closing;
  }

  #item(item: Parameters<Outbox['addItem']>[0]): void {
    if (this.#state === 'failed' || this.#state === 'closed') return;
    if (!this.#outbox.addItem(item)) {
      this.#warnFull();
      return;
    }
    if (this.#outbox.full) this.#seal();
    else this.#armFlush();
  }

  #warnFull(): void {
    if (this.#warnedFull) return;
    this.#warnedFull = true;
    process.emitWarning(
      `swarmlab session ${this.id}: report queue full (${this.#opts.maxQueued}); dropping new reports`,
    );
  }

  #armFlush(): void {
    if (this.#flushTimer) return;
    this.#flushTimer = setTimeout(() => this.#seal(), this.#opts.flushIntervalMs);
    this.#flushTimer.unref();
  }

  #seal(): void {
    clearTimeout(this.#flushTimer);
    this.#flushTimer = undefined;
    this.#outbox.seal();
    this.#pump();
  }

  /** Sends sealed batches while fewer than `maxInFlight` await their ack. */
  #pump(): void {
    const ws = this.#ws;
    if (!this.#ready || !ws) return;
    while (this.#sent < this.#outbox.sealed && this.#sent - this.#outbox.acked < this.#opts.maxInFlight) {
      const frame = this.#outbox.frame(this.#sent + 1);
      if (!frame) break;
      ws.send(frame.bytes);
      this.#sent = frame.q;
    }
  }

  #open(): void {
    this.#state = 'connecting';
    this.#ready = false;
    const url = `${wsUrl(this.#client.url)}${paths.sessionChannel(this.id)}`;
    const ws = openSocket(url, this.#client.token, (d) => this.#onDrop(ws, d));
    this.#ws = ws;
    ws.on('open', () => {
      // The open socket alone does not keep the script alive; `beforeExit` flushes what is left.
      (ws as unknown as { _socket?: { unref?: () => void } })._socket?.unref?.();
      const hello: ChannelHello = {
        k: 'hello',
        v: 1,
        stream: this.#stream,
        sdk: `swarmlab-ts/${VERSION}`,
        pid: process.pid,
        host: hostname(),
        rank: this.info.rank,
        worldSize: this.info.worldSize,
      };
      ws.send(packr.pack(hello));
      this.#startPing(ws);
    });
    ws.on('message', (data: Buffer) => {
      let msg: ChannelDown;
      try {
        msg = unpackr.unpack(data) as ChannelDown;
      } catch {
        ws.terminate();
        return;
      }
      this.#onMessage(msg);
    });
  }

  #onMessage(msg: ChannelDown): void {
    switch (msg.k) {
      case 'welcome':
        this.#outbox.ack(msg.acked);
        this.#sent = this.#outbox.acked;
        this.#ready = true;
        this.#state = 'open';
        this.#attempt = 0;
        this.#firstOpen?.resolve();
        this.#firstOpen = undefined;
        this.#settleWaiters();
        if (msg.stop !== undefined) this.#stopped(msg.stop);
        this.#pump();
        break;
      case 'ack':
        this.#outbox.ack(msg.q);
        this.#settleWaiters();
        this.#pump();
        break;
      case 'stop':
        this.#stopped(msg.reason);
        break;
      default:
        break; // newer managers may send more; ignore what this SDK does not know
    }
  }

  #onDrop(ws: WebSocket, d: Dropped): void {
    if (ws !== this.#ws) return;
    this.#ready = false;
    clearInterval(this.#pingTimer);
    if (this.#state === 'closed' || this.#state === 'failed') return;
    const fatal = fatalError(d, this.#client.url);
    if (fatal) {
      this.#fail(fatal);
      return;
    }
    this.#state = 'connecting';
    this.#reconnects++;
    this.#reconnectTimer = setTimeout(() => this.#open(), backoff(this.#attempt++));
    this.#reconnectTimer.unref();
  }

  #startPing(ws: WebSocket): void {
    let alive = true;
    ws.on('pong', () => {
      alive = true;
    });
    clearInterval(this.#pingTimer);
    this.#pingTimer = setInterval(() => {
      if (!alive) return ws.terminate();
      alive = false;
      ws.ping();
    }, this.#opts.pingIntervalMs);
    this.#pingTimer.unref();
  }

  #settleWaiters(): void {
    const acked = this.#outbox.acked;
    const done = this.#waiters.filter((w) => w.target <= acked);
    this.#waiters = this.#waiters.filter((w) => w.target > acked);
    this.#releaseKeepAlive();
    for (const w of done) w.resolve();
  }

  #releaseKeepAlive(): void {
    if (this.#waiters.length > 0) return;
    clearInterval(this.#keepAlive);
    this.#keepAlive = undefined;
  }

  #stopped(reason: string): void {
    if (this.#stopReason !== undefined) return;
    this.#stopReason = reason;
    for (const listener of this.#stopListeners) this.#callStop(listener, reason);
  }

  #callStop(listener: StopListener, reason: string): void {
    queueMicrotask(() => {
      Promise.resolve()
        .then(() => listener(reason))
        .catch((err) => process.emitWarning(`swarmlab onStop listener failed: ${String(err)}`));
    });
  }

  #fail(err: SwarmlabError): void {
    this.#failure = err;
    this.#firstOpen?.reject(err);
    this.#firstOpen = undefined;
    for (const w of this.#waiters.splice(0)) w.reject(err);
    this.#releaseKeepAlive();
    this.#shutdown('failed');
  }

  #shutdown(state: 'closed' | 'failed'): void {
    this.#state = state;
    this.#ready = false;
    // A flush still waiting here (close timed out) will never be acknowledged.
    const undelivered = unavailable(
      this.info.url,
      `session ${this.id} closed before its reports were stored`,
    );
    for (const w of this.#waiters.splice(0)) w.reject(undelivered);
    this.#releaseKeepAlive();
    process.off('beforeExit', this.#onBeforeExit);
    clearTimeout(this.#flushTimer);
    clearTimeout(this.#reconnectTimer);
    clearInterval(this.#pingTimer);
    const ws = this.#ws;
    this.#ws = undefined;
    if (ws && ws.readyState === ws.OPEN) ws.close(1000, 'session client closed');
    else ws?.terminate();
  }
}

/** Connects to the manager as the session the environment names (see `SessionOptions` for overrides). */
export async function session(options: SessionOptions = {}): Promise<SessionClient> {
  return new SessionClient(options).connect();
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}
