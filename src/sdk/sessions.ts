/**
 * Sessions client: submit, read, list, stop, logs, and follow a session to its end through the event stream.
 * The WebSocket code is loaded only by `follow`, so a command that only reads (`swarmlab ps`) stays light.
 */
import {
  type CompareOptions,
  type Comparison,
  isTerminal,
  type ListOptions,
  type LogPage,
  type LogQuery,
  type ParamValue,
  paths,
  type SessionDeleted,
  type SessionPage,
  type SessionRecord,
  type SessionSpec,
  type SwarmEvent,
} from '../api/index.js';
import { type ClientOptions, clientOf, type SwarmlabClient } from './client.js';

export interface FollowSessionOptions {
  /** Deliver the session's events after this cursor (default: from now on). */
  after?: number;
  /** Called with each of the session's events, in order, the exit included. */
  onEvent?: (event: SwarmEvent) => void;
}

export class SessionsClient {
  readonly client: SwarmlabClient;

  constructor(client: SwarmlabClient | ClientOptions = {}) {
    this.client = clientOf(client);
  }

  /** Submits a session; the manager fills defaults and resolves the dataset to a fixed version. */
  submit(spec: SessionSpec): Promise<SessionRecord> {
    return this.client.json('POST', paths.sessions, { body: spec });
  }

  get(id: string): Promise<SessionRecord> {
    return this.client.json('GET', paths.session(id));
  }

  /** Newest first unless `order` says otherwise; `tags` must all match, `params` compare as each param's type. */
  list(options: ListOptions = {}): Promise<SessionPage> {
    const { tags, params, ...rest } = options;
    const query: Record<string, string | number | undefined> = { ...rest };
    if (tags?.length) query.tag = tags.join(',');
    for (const [name, value] of Object.entries(params ?? {})) query[`param.${name}`] = value;
    return this.client.json('GET', paths.sessions, { query });
  }

  /** Params, metric summaries and downsampled series of up to 100 sessions, and which params differ. */
  compare(ids: string[], options: CompareOptions = {}): Promise<Comparison> {
    const query = {
      ids: ids.join(','),
      maxPoints: options.maxPoints,
      metrics: options.metrics?.join(','),
    };
    return this.client.json('GET', paths.compare, { query });
  }

  /** Adds params a job discovered to a session (a name already set to another value is a ConflictError). */
  addParams(id: string, params: Record<string, ParamValue>): Promise<SessionRecord> {
    return this.client.json('POST', paths.sessionParams(id), { body: { params } });
  }

  /** Declares the session restartable: once demoted it may be preempted (and resubmitted) for waiting work. */
  checkpointable(id: string): Promise<SessionRecord> {
    return this.client.json('POST', paths.sessionCheckpointable(id));
  }

  /** Asks a session to stop; returns the record as it is right after the request (202). */
  stop(id: string, reason?: string): Promise<SessionRecord> {
    return this.client.json('POST', paths.sessionStop(id), { body: reason ? { reason } : {} });
  }

  /** Deletes an ended session with its logs, events, metrics and artifacts (ConflictError while it is active). */
  delete(id: string): Promise<SessionDeleted> {
    return this.client.json('DELETE', paths.session(id));
  }

  logs(id: string, query: LogQuery = {}): Promise<LogPage> {
    return this.client.json('GET', paths.sessionLogs(id), { query: { ...query } });
  }

  /**
   * Follows the session's events until it has ended and returns its final record. Without `after`, a session
   * that ended before the stream opened is returned at once (its record says so; its exit is not replayed).
   */
  async follow(id: string, options: FollowSessionOptions = {}): Promise<SessionRecord> {
    const { followEvents } = await import('./events.js');
    let over = false;
    let exited!: () => void;
    const ended = new Promise<void>((resolve) => {
      exited = () => {
        over = true;
        resolve();
      };
    });
    const follower = await followEvents(
      { client: this.client, session: id, ...(options.after === undefined ? {} : { after: options.after }) },
      (e) => {
        if (over) return; // nothing after the exit: the caller has its final record next
        options.onEvent?.(e);
        if (e.type === 'session.exited') exited();
      },
    );
    try {
      if (options.after === undefined && isTerminal((await this.get(id)).state)) exited();
      await Promise.race([ended, follower.done]);
    } finally {
      await follower.close();
    }
    return this.get(id);
  }
}
