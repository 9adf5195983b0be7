/**
 * `WS /api/v1/sessions/{id}/channel`: the session SDK's one connection to the manager (MessagePack binary
 * frames, see src/events/protocol.ts). Always needs a token (the session's own, or a write token); bad frames
 * close the socket with 4400.
 */
import type { FastifyInstance } from 'fastify';
import { Packr, Unpackr } from 'msgpackr';
import type { RawData, WebSocket } from 'ws';
import { z } from 'zod';
import { type ChannelDown, CloseCode } from '../../api/index.js';
import { InvalidError, isSwarmlabError } from '../../errors/index.js';
import { type Channel, type ChannelPeer, parseBatch, parseHello } from '../../telemetry/index.js';
import type { Services } from '../services.js';
import { JOB_ROUTE } from './access.js';
import { startHeartbeat } from './heartbeat.js';
import { parseQuery, sessionIdParam } from './query.js';

const HELLO_TIMEOUT_MS = 10_000;
const params = z.object({ id: sessionIdParam });
const packr = new Packr({ useRecords: false });

/** Close reasons are limited to 123 bytes. */
const reasonOf = (err: unknown): string => (err instanceof Error ? err.message : String(err)).slice(0, 120);

export async function registerChannelRoutes(app: FastifyInstance, services: Services): Promise<void> {
  app.get(
    '/api/v1/sessions/:id/channel',
    {
      websocket: true,
      config: JOB_ROUTE,
      preValidation: async (request) => {
        parseQuery(params, request.params);
      },
    },
    (socket, request) => {
      const { id } = parseQuery(params, request.params);
      serveChannel(socket, id, services, (err) =>
        request.log.warn({ err, sessionId: id }, 'session channel'),
      );
    },
  );
}

function serveChannel(
  socket: WebSocket,
  sessionId: string,
  services: Services,
  warn: (err: unknown) => void,
): void {
  const unpackr = new Unpackr({ useRecords: false, mapsAsObjects: true });
  const peer: ChannelPeer = {
    send: (message: ChannelDown) => {
      if (socket.readyState === socket.OPEN) socket.send(packr.pack(message));
    },
    close: (code, reason) => socket.close(code, reason),
    pause: () => socket.pause(),
    resume: () => socket.resume(),
  };
  let channel: Channel | undefined;
  let opening: Promise<Channel | undefined> | undefined;
  /** Frames that arrived while the channel was opening. */
  const early: unknown[] = [];
  const fail = (code: number, err: unknown) => {
    if (socket.readyState === socket.OPEN || socket.readyState === socket.CONNECTING)
      socket.close(code, reasonOf(err));
  };
  const helloTimer = setTimeout(() => fail(CloseCode.helloTimeout, 'no hello received'), HELLO_TIMEOUT_MS);
  const heartbeat = startHeartbeat(socket, 30_000);

  const onBatch = (msg: unknown) => {
    try {
      channel!.accept(parseBatch(msg));
    } catch (err) {
      fail(CloseCode.badFrame, err);
    }
  };

  socket.on('message', (data: RawData, isBinary: boolean) => {
    let msg: unknown;
    try {
      if (!isBinary) throw new InvalidError('frames must be binary MessagePack');
      msg = unpackr.unpack(data as Buffer);
    } catch (err) {
      fail(CloseCode.badFrame, isSwarmlabError(err) ? err : 'frame is not valid MessagePack');
      return;
    }
    if (channel) return onBatch(msg);
    if (opening) {
      early.push(msg);
      return;
    }
    clearTimeout(helloTimer);
    let hello: ReturnType<typeof parseHello>;
    try {
      hello = parseHello(msg);
    } catch (err) {
      fail(CloseCode.badFrame, err);
      return;
    }
    opening = services.channels.open(sessionId, hello, peer).then(
      (ch) => {
        channel = ch;
        for (const m of early.splice(0)) onBatch(m);
        if (socket.readyState !== socket.OPEN)
          void services.channels.closed(ch, 1006, 'closed while opening');
        return ch;
      },
      (err) => {
        if (!isSwarmlabError(err)) warn(err);
        fail(isSwarmlabError(err) ? CloseCode.refused : CloseCode.unavailable, err);
        return undefined;
      },
    );
  });

  socket.on('close', (code: number, reason: Buffer) => {
    clearTimeout(helloTimer);
    clearInterval(heartbeat);
    if (channel) void services.channels.closed(channel, code, reason.toString());
  });
  socket.on('error', warn);
}
