/** WebSocket keep-alive shared by the events stream and the session channel. */
import type { WebSocket } from 'ws';

/** Pings every `ms`; a client that has not answered the previous ping is cut off. */
export function startHeartbeat(socket: WebSocket, ms: number): NodeJS.Timeout {
  let alive = true;
  socket.on('pong', () => {
    alive = true;
  });
  const timer = setInterval(() => {
    if (!alive) {
      socket.terminate();
      return;
    }
    alive = false;
    socket.ping();
  }, ms);
  timer.unref();
  return timer;
}
