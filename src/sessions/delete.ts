/**
 * Deletes an ended session with everything it recorded, crash-safely: first a marker (holding the record) and the
 * session's removal from every listing, in one transaction; then its directory; then, in one last transaction, its
 * record, output lines, archived events, what other domains recorded (purgers) and the marker. A manager that died
 * in between finds the marker at start and finishes.
 */
import { rm } from 'node:fs/promises';
import type { Logger } from 'pino';
import type { SessionDeleted } from '../api/index.js';
import { ConflictError } from '../errors/index.js';
import type { EventArchive } from '../events/index.js';
import type { Store, TxOp } from '../store/index.js';
import { sessionDir } from './exec-spec.js';
import { type SessionRepo, sessionKey } from './repo.js';
import { isTerminal } from './states.js';
import type { SessionPurger, SessionRecord } from './types.js';

/** Present while a session is being deleted; artifact writes check its absence. */
export const deletingKey = (id: string): string => `session-deleting/${id}`;
const DELETING_PREFIX = 'session-deleting/';

interface Marker {
  record: SessionRecord;
  at: number;
}

export interface DeleteDeps {
  store: Store;
  events: EventArchive;
  repo: SessionRepo;
  dataDir: string;
  purgers: SessionPurger[];
  logger: Pick<Logger, 'warn'>;
}

const RETRIES = 10;

export class SessionDeleter {
  readonly #deps: DeleteDeps;

  constructor(deps: DeleteDeps) {
    this.#deps = deps;
  }

  /** Deletes an ended session (ConflictError for one still active); NotFoundError when there is none. */
  async delete(id: string): Promise<SessionDeleted> {
    const { store, repo } = this.#deps;
    const doc = await repo.require(id);
    const record = doc.value;
    if (!isTerminal(record.state)) {
      throw new ConflictError(
        `session ${id} is ${record.state}; only an ended session can be deleted (stop it first)`,
        { details: { sessionId: id, state: record.state } },
      );
    }
    const marker = await store.get<Marker>(deletingKey(id));
    if (!marker) {
      await store.commit([
        // Pinned to the ended record: nothing changed it since it was read.
        { op: 'check', key: sessionKey(id), version: doc.version },
        { op: 'put', key: deletingKey(id), value: { record, at: Date.now() } satisfies Marker, ifVersion: 0 },
        ...repo.unlistOps(record),
      ]);
    }
    return this.#finish(marker?.value.record ?? record);
  }

  /** Finishes the deletions a previous manager left half-done; one that fails again is logged, not fatal. */
  async resume(): Promise<void> {
    for (const m of await this.#deps.store.list<Marker>(DELETING_PREFIX)) {
      try {
        await this.#finish(m.value.record);
      } catch (err) {
        this.#deps.logger.warn(
          { err, sessionId: m.value.record.id },
          'unfinished session delete failed again',
        );
      }
    }
  }

  async #finish(record: SessionRecord): Promise<SessionDeleted> {
    const { store, events, repo, dataDir, purgers } = this.#deps;
    const id = record.id;
    try {
      await rm(sessionDir(dataDir, id), { recursive: true, force: true });
    } catch (err) {
      // E.g. files a container wrote as another user: the stored data still goes; the files stay for an admin.
      this.#deps.logger.warn({ err, sessionId: id }, 'session directory not removed');
    }
    for (let attempt = 0; ; attempt++) {
      const cursors = await events.sessionCursors(id, record.createdAt);
      const purged = (await Promise.all(purgers.map((purge) => purge(id)))).flat();
      const ops: TxOp[] = [
        ...repo.deleteOps(record),
        events.removeOp(cursors),
        ...purged,
        { op: 'delete', key: deletingKey(id) },
        events.op({ type: 'session.deleted', data: { id, name: record.name } }),
      ];
      try {
        const result = await store.commit(ops);
        return { id, events: cursors.length, freedBlobs: result.freed?.length ?? 0 };
      } catch (err) {
        // A purger's pinned document moved (an artifact landed meanwhile): read again and retry.
        if (!(err instanceof ConflictError) || attempt >= RETRIES) throw err;
      }
    }
  }
}
