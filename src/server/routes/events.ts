/**
 * Event routes: `GET /api/v1/events` pages through the archive; `WS /api/v1/events/ws` streams it live as
 * JSON text frames (one event each, with its cursor), resuming after `after=` with no gap and no duplicate.
 */
import type { FastifyInstance } from 'fastify';
import { z } from 'zod';
import { CloseCode } from '../../api/index.js';
import type { EventFilter, SwarmEvent } from '../../events/index.js';
import type { Services } from '../services.js';
import { startHeartbeat } from './heartbeat.js';
import { listParam, parseQuery } from './query.js';

export interface EventStreamOptions {
  /** Bytes a client may leave unread before it is dropped (it resumes from its last cursor). */
  maxBuffered: number;
  heartbeatMs: number;
}

const defaults: EventStreamOptions = { maxBuffered: 8 * 1024 * 1024, heartbeatMs: 30_000 };

const cursor = z.coerce.number().int().nonnegative();
const filterQuery = {
  session: z.string().max(64).optional(),
  model: z.string().max(256).optional(),
  type: listParam,
};
const pageQuery = z.object({
  ...filterQuery,
  after: cursor.default(0),
  limit: z.coerce.number().int().min(1).max(5000).default(500),
});
const streamQuery = z.object({ ...filterQuery, after: cursor.optional(), token: z.string().optional() });

const toFilter = (q: { session?: string; model?: string; type?: string[] }): EventFilter => ({
  ...(q.session === undefined ? {} : { sessionId: q.session }),
  ...(q.model === undefined ? {} : { model: q.model }),
  ...(q.type === undefined ? {} : { types: q.type }),
});

export async function registerEventRoutes(
  app: FastifyInstance,
  services: Services,
  options: Partial<EventStreamOptions> = {},
): Promise<void> {
  const opts = { ...defaults, ...options } satisfies EventStreamOptions;

  app.get('/api/v1/events', async (request) => {
    const q = parseQuery(pageQuery, request.query);
    return services.events.page(toFilter(q), { after: q.after, limit: q.limit });
  });

  app.get('/api/v1/events/cursor', async () => ({ cursor: await services.events.lastCursor() }));

  app.get('/api/v1/events/ws', { websocket: true }, (socket, request) => {
    let q: z.output<typeof streamQuery>;
    try {
      q = parseQuery(streamQuery, request.query);
    } catch (err) {
      socket.close(CloseCode.badFrame, (err as Error).message.slice(0, 120));
      return;
    }
    let stop: (() => void) | undefined;
    let closed = false;
    const heartbeat = startHeartbeat(socket, opts.heartbeatMs);
    socket.on('close', () => {
      closed = true;
      clearInterval(heartbeat);
      stop?.();
    });
    socket.on('message', () => {}); // the stream is one-way; client frames are ignored
    const send = (e: SwarmEvent): void => {
      // Throwing makes the hub drop this subscriber, even in the middle of a replay.
      if (closed || socket.readyState !== socket.OPEN) throw new Error('closed');
      if (socket.bufferedAmount > opts.maxBuffered) {
        closed = true;
        socket.close(CloseCode.slowConsumer, 'too slow: reconnect with after=<last cursor received>');
        throw new Error('slow consumer');
      }
      socket.send(JSON.stringify(e));
    };
    const start = async () => {
      const after = q.after ?? (await services.events.lastCursor());
      const unsubscribe = await services.hub.subscribe(toFilter(q), after, send);
      if (closed) unsubscribe();
      else stop = unsubscribe;
    };
    start().catch((err) => {
      if (closed) return;
      request.log.warn({ err }, 'event stream failed');
      socket.close(CloseCode.unavailable, 'event stream failed; reconnect');
    });
  });
}
