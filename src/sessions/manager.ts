/**
 * The sessions service callers use: submit, retry, stop, flag and reads. Running sessions is the runtime's job,
 * reads are the repo's; this façade validates submissions into records and starts the runtime after a restart.
 */
import { mkdir } from 'node:fs/promises';
import type { SessionDeleted } from '../api/index.js';
import { ConflictError } from '../errors/index.js';
import type { TxOp } from '../store/index.js';
import { SessionDeleter } from './delete.js';
import { outputDir } from './exec-spec.js';
import { newSessionId } from './ids.js';
import {
  type SessionDeps,
  type SessionManagerOptions,
  type SessionOptions,
  sessionOptions,
} from './options.js';
import { mergeParams } from './params.js';
import { resubmitSpec } from './preempt.js';
import { reconcile } from './reconcile.js';
import { SessionRepo, sessionKey } from './repo.js';
import { SessionRuntime } from './runtime.js';
import { isTerminal } from './states.js';
import { buildRecord, engineOf, specOf } from './submit.js';
import type {
  ListOptions,
  LogPage,
  LogQuery,
  ParamValue,
  SessionFlag,
  SessionPage,
  SessionRecord,
  SessionSpec,
} from './types.js';

export class SessionManager {
  readonly repo: SessionRepo;
  readonly #deps: SessionDeps;
  readonly #opts: SessionOptions;
  readonly #runtime: SessionRuntime;
  readonly #deleter: SessionDeleter;
  #startup: Promise<void> | undefined;

  constructor(deps: SessionDeps, options: SessionManagerOptions) {
    this.#deps = deps;
    this.#opts = sessionOptions(options);
    this.repo = new SessionRepo(deps.store, deps.events);
    this.#runtime = new SessionRuntime(
      { ...deps, repo: this.repo, resubmit: (id) => this.#resubmit(id) },
      this.#opts,
    );
    this.#deleter = new SessionDeleter({
      store: deps.store,
      events: deps.events,
      repo: this.repo,
      dataDir: this.#opts.dataDir,
      purgers: deps.purgers ?? [],
      logger: deps.logger,
    });
  }

  /** Finishes deletions and reconciles what a previous manager left, then starts scheduling. */
  start(): Promise<void> {
    this.#startup ??= (async () => {
      await this.#deleter.resume();
      await reconcile(this.#runtime, await this.repo.active());
      this.#runtime.start();
      // A manager that stopped between a preempted session's end and its next attempt's submit left it owed.
      for (const id of await this.repo.owedResubmits()) await this.#resubmit(id);
    })();
    return this.#startup;
  }

  async submit(spec: SessionSpec): Promise<SessionRecord> {
    await this.#startup;
    return this.#create(spec);
  }

  /** Builds, stores and queues a new session; `link` may amend the record and add ops to its transaction. */
  async #create(
    spec: SessionSpec,
    link?: (record: SessionRecord) => { record: SessionRecord; also: TxOp[] },
  ): Promise<SessionRecord> {
    const now = Date.now();
    const id = newSessionId(now);
    const output = outputDir(this.#opts.dataDir, id);
    let record = await buildRecord(
      id,
      spec,
      {
        scheduler: this.#deps.scheduler,
        datasets: this.#deps.datasets,
        outputDir: output,
        containerEngine: this.#opts.containerEngine,
      },
      now,
    );
    let also: TxOp[] = [];
    if (link) ({ record, also } = link(record));
    await mkdir(output, { recursive: true });
    const data = { name: record.name, priority: record.priority, pool: record.pool } as {
      name: string;
      priority: number;
      pool: string;
      dataset?: string;
    };
    if (record.dataset) data.dataset = record.dataset;
    await this.repo.create(record, { type: 'session.submitted', sessionId: id, data }, also);
    this.#runtime.queue(record);
    return record;
  }

  /**
   * Submits a copy of an ended session (same spec, new id) as its next attempt: `retryOf` and `attempt` on the
   * new record, `retriedBy` on the old one, written together, so a session is retried at most once.
   */
  async retry(id: string): Promise<SessionRecord> {
    await this.#startup;
    return this.#retry(id, (spec) => spec);
  }

  /** A preempted session's next attempt (see `resubmitSpec`); failures are logged, the mark stays for a restart. */
  async #resubmit(id: string): Promise<void> {
    const { scheduler, logger } = this.#deps;
    try {
      const next = await this.#retry(
        id,
        (spec, old) => resubmitSpec(spec, old, scheduler, engineOf(old.image, this.#opts.containerEngine)),
        [this.repo.resubmittedOp(id)],
      );
      logger.info({ sessionId: id, next: next.id, attempt: next.attempt }, 'preempted session resubmitted');
    } catch (err) {
      logger.error({ err, sessionId: id }, 'preempted session not resubmitted');
    }
  }

  async #retry(
    id: string,
    adjust: (spec: SessionSpec, old: SessionRecord) => SessionSpec,
    also: TxOp[] = [],
  ): Promise<SessionRecord> {
    for (let attempt = 0; ; attempt++) {
      const doc = await this.repo.require(id);
      const old = doc.value;
      if (old.retriedBy) return this.get(old.retriedBy);
      if (!isTerminal(old.state)) {
        throw new ConflictError(`session ${id} is ${old.state}; only an ended session can be retried`, {
          details: { sessionId: id, state: old.state },
        });
      }
      const spec = adjust(specOf(old, outputDir(this.#opts.dataDir, id)), old);
      try {
        return await this.#create(spec, (record) => ({
          record: { ...record, retryOf: id, attempt: (old.attempt ?? 1) + 1 },
          also: [
            {
              op: 'put',
              key: sessionKey(id),
              value: { ...old, retriedBy: record.id },
              ifVersion: doc.version,
            },
            ...also,
          ],
        }));
      } catch (err) {
        if (!(err instanceof ConflictError) || attempt >= 5) throw err;
      }
    }
  }

  /**
   * Records that the session's job can be stopped and resumed (it checkpoints on a `preempted` stop request and
   * resumes from its last generation or artifact): once demoted, it may be preempted for waiting work.
   */
  async checkpointable(id: string): Promise<SessionRecord> {
    const current = await this.get(id);
    if (current.checkpointable) return current;
    if (isTerminal(current.state)) {
      throw new ConflictError(
        `session ${id} is ${current.state}; only an active session can be checkpointable`,
        {
          details: { sessionId: id, state: current.state },
        },
      );
    }
    const record = await this.#runtime.update(id, () => ({ checkpointable: true }));
    this.#runtime.kick();
    return record;
  }

  /** Marks a session flagged (an onExit rule saw an exit code it watches). */
  async flag(id: string, flag: SessionFlag): Promise<SessionRecord> {
    return this.repo.update(id, () => ({ flagged: flag }));
  }

  async get(id: string): Promise<SessionRecord> {
    return (await this.repo.require(id)).value;
  }

  /** Adds params the job discovered; idempotent for a name already set to the same value (no write then). */
  async addParams(id: string, params: Record<string, ParamValue>): Promise<SessionRecord> {
    const current = await this.get(id);
    if (Object.keys(mergeParams(current, params)).length === 0) return current;
    return this.repo.update(id, (cur) => mergeParams(cur, params));
  }

  /**
   * Deletes an ended session with its logs, events, metrics, params and artifacts (blobs nothing else holds are
   * freed); ConflictError while it is active. Other sessions' event cursors never change.
   */
  async delete(id: string): Promise<SessionDeleted> {
    await this.#startup;
    return this.#deleter.delete(id);
  }

  /** The fast path: newest first, by state at most (filters and other orders: src/experiments). */
  list(options: Pick<ListOptions, 'state' | 'limit' | 'offset'> = {}): Promise<SessionPage> {
    return this.repo.list(options);
  }

  async logs(id: string, query: LogQuery = {}): Promise<LogPage> {
    await this.repo.require(id);
    return this.repo.logs(id, query);
  }

  /**
   * Asks a session to stop. Queued: stopped at once. Placed or starting: stopped before or right after its
   * process starts. Running: the SDK is asked first (if connected), then SIGTERM, then SIGKILL after the grace
   * period; the session ends `stopped` (or `rejected` with `as: 'rejected'`, for a reject rule) whatever its
   * exit code. Idempotent; ended sessions are returned as is.
   */
  async stop(
    id: string,
    reason = 'stopped by request',
    options: { as?: 'stopped' | 'rejected' } = {},
  ): Promise<SessionRecord> {
    return (await this.#runtime.stop(id, reason, options.as ?? 'stopped')) ?? this.get(id);
  }

  /** Sessions running now (from memory, no store read): what the usage sampler reads. */
  running(): SessionRecord[] {
    return this.#runtime.running();
  }

  /** Schedules a placement pass soon, e.g. after the nodes changed. */
  kick(): void {
    this.#runtime.kick();
  }

  /** Stops scheduling and tracking; running processes keep running and are re-attached by the next manager. */
  close(): Promise<void> {
    return this.#runtime.close();
  }
}
