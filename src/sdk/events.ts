/**
 * Follows the manager's event stream (`WS /api/v1/events/ws`) and reconnects after a drop from the last
 * cursor received, so the caller sees every matching event once, in order, across reconnects.
 */
import type WebSocket from 'ws';
import { paths, type SwarmEvent } from '../api/index.js';
import { type ClientOptions, SwarmlabClient } from './client.js';
import { backoff, type Dropped, fatalError, openSocket, wsUrl } from './connect.js';

export interface FollowOptions extends ClientOptions {
  /** Start after this cursor (0 = the whole archive); default: only events from now on. */
  after?: number;
  session?: string;
  /** Exact types or prefixes such as `session.*`. */
  types?: string[];
  model?: string;
  /** A client to take the URL and token from (else `url`/`token`/environment). */
  client?: SwarmlabClient;
  /** Told about each drop before reconnecting. */
  onReconnect?: (drop: { code: number; reason: string; attempt: number; after: number }) => void;
}

export interface EventFollower {
  /** Cursor of the last event delivered (or the starting point). */
  readonly cursor: number;
  /** Settles when the follower stops: resolves after `close()`, rejects on a failure it cannot retry. */
  readonly done: Promise<void>;
  close(): Promise<void>;
}

type OnEvent = (event: SwarmEvent) => void | Promise<void>;

/**
 * Resolves once the stream is open. `onEvent` may return a promise: the stream pauses until it settles
 * (back-pressure); if it throws, the follower stops and `done` rejects with that error.
 */
export async function followEvents(options: FollowOptions, onEvent: OnEvent): Promise<EventFollower> {
  const client = options.client ?? new SwarmlabClient(options);
  let cursor = options.after ?? (await client.json<{ cursor: number }>('GET', paths.eventsCursor)).cursor;
  let ws: WebSocket | undefined;
  let stopped = false;
  let attempt = 0;
  let timer: NodeJS.Timeout | undefined;
  let chain: Promise<void> = Promise.resolve();
  let settle!: { resolve: () => void; reject: (err: unknown) => void };
  const done = new Promise<void>((resolve, reject) => {
    settle = { resolve, reject };
  });
  done.catch(() => {}); // callers that do not await `done` must not crash on it
  let firstOpen!: { resolve: () => void; reject: (err: unknown) => void };
  const opened = new Promise<void>((resolve, reject) => {
    firstOpen = { resolve, reject };
  });

  const stop = (err?: unknown) => {
    if (stopped) return;
    stopped = true;
    clearTimeout(timer);
    ws?.close(1000, 'follower closed');
    if (err === undefined) settle.resolve();
    else settle.reject(err);
    firstOpen.reject(err ?? new Error('closed'));
  };

  const deliver = (data: Buffer) => {
    let event: SwarmEvent;
    try {
      event = JSON.parse(data.toString()) as SwarmEvent;
    } catch {
      return;
    }
    chain = chain.then(async () => {
      if (stopped || event.cursor <= cursor) return;
      const result = onEvent(event);
      if (result && typeof (result as Promise<void>).then === 'function') {
        ws?.pause();
        try {
          await result;
        } finally {
          ws?.resume();
        }
      }
      cursor = event.cursor;
    });
    chain.catch(stop);
  };

  const connect = () => {
    const query: Record<string, string | number | undefined> = {
      after: cursor,
      session: options.session,
      model: options.model,
      type: options.types?.join(','),
    };
    const url = wsUrl(client.href(paths.eventsSocket, query));
    const socket = openSocket(url, client.token, (d: Dropped) => {
      if (socket !== ws || stopped) return;
      const fatal = fatalError(d, client.url);
      if (fatal) return stop(fatal);
      // Events already received are delivered before resuming after the last of them.
      void chain.then(() => {
        if (stopped) return;
        options.onReconnect?.({ code: d.code, reason: d.reason, attempt, after: cursor });
        timer = setTimeout(connect, backoff(attempt++));
      });
    });
    ws = socket;
    socket.on('open', () => {
      attempt = 0;
      firstOpen.resolve();
    });
    socket.on('message', deliver);
  };

  connect();
  await opened;
  return {
    get cursor() {
      return cursor;
    },
    done,
    close: async () => {
      stop();
      await done.catch(() => {});
    },
  };
}
