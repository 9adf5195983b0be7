/**
 * The events WebSocket: one per page, filtered by session and type, resuming after the last cursor it saw
 * when the connection drops (the server replays from there: no gap, no duplicate).
 */
import { observable } from '../lib/observable.js';
import { api, query } from './client.js';
import { getToken } from './token.js';
import type { SwarmEvent } from './types.js';

/** `idle`: the page follows no events (it polls, or shows a snapshot). */
export type Connection = 'idle' | 'connecting' | 'live' | 'reconnecting' | 'offline';

/** State of the page's event stream, shown in the header. */
export const connection = observable<Connection>('idle');
let open = 0;

export interface EventFilter {
  session?: string;
  /** Exact types or prefixes (`session.*`). */
  types?: string[];
  /** Start after this cursor; default: the archive's end when the stream opens (only new events). */
  after?: number;
}

export interface EventStream {
  close(): void;
}

export function openEvents(filter: EventFilter, onEvent: (e: SwarmEvent) => void): EventStream {
  let cursor = filter.after;
  let socket: WebSocket | undefined;
  let closed = false;
  let retry = 0;
  let timer: ReturnType<typeof setTimeout> | undefined;

  const url = (): string => {
    const proto = location.protocol === 'https:' ? 'wss:' : 'ws:';
    const q = query({
      after: cursor,
      session: filter.session,
      type: filter.types?.join(','),
      token: getToken(),
    });
    return `${proto}//${location.host}/api/v1/events/ws${q}`;
  };

  const connect = async (): Promise<void> => {
    if (cursor === undefined) {
      try {
        cursor = (await api<{ cursor: number }>('/api/v1/events/cursor')).cursor;
      } catch {
        return reconnectLater();
      }
    }
    if (closed) return;
    const ws = new WebSocket(url());
    socket = ws;
    ws.onopen = () => {
      retry = 0;
      connection.set('live');
    };
    ws.onmessage = (m) => {
      const e = JSON.parse(String(m.data)) as SwarmEvent;
      if (cursor !== undefined && e.cursor <= cursor) return;
      cursor = e.cursor;
      onEvent(e);
    };
    ws.onclose = () => {
      if (socket === ws) reconnectLater();
    };
  };

  const reconnectLater = (): void => {
    if (closed) return;
    connection.set(retry > 3 ? 'offline' : 'reconnecting');
    const delay = Math.min(10_000, 500 * 2 ** retry++);
    timer = setTimeout(() => void connect(), delay);
  };

  open++;
  connection.set('connecting');
  void connect();
  return {
    close() {
      if (closed) return;
      closed = true;
      if (--open === 0) connection.set('idle');
      clearTimeout(timer);
      socket?.close();
      socket = undefined;
    },
  };
}
