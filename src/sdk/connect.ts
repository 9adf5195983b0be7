/** WebSocket plumbing shared by the session client and the event follower: URLs, backoff, fatal closes. */
import WebSocket from 'ws';
import {
  ForbiddenError,
  InvalidError,
  NotFoundError,
  type SwarmlabError,
  UnauthorizedError,
  UnavailableError,
} from '../errors/index.js';

/** `http(s)://…` → `ws(s)://…`. */
export const wsUrl = (httpUrl: string): string => httpUrl.replace(/^http/, 'ws');

/** Exponential backoff with jitter: 50 ms, 100 ms, … capped at `maxMs`. */
export const backoff = (attempt: number, maxMs = 2000): number =>
  Math.min(maxMs, 50 * 2 ** attempt) * (0.5 + Math.random() / 2);

/**
 * Close codes and HTTP statuses after which reconnecting cannot help (values of `CloseCode` in
 * src/events/protocol.ts: bad frame, unauthorized, refused; 1009: a frame over the manager's size limit).
 */
const FATAL_CODES = new Set([1009, 4400, 4401, 4403]);
const FATAL_STATUS = new Set([400, 401, 403, 404]);

export interface Dropped {
  code: number;
  reason: string;
  /** HTTP status when the upgrade itself was refused. */
  status?: number;
}

/** The error to surface when a connection ends for good, or undefined when it is worth retrying. */
export function fatalError(d: Dropped, url: string): SwarmlabError | undefined {
  const details = { url, code: d.code, status: d.status, reason: d.reason };
  if (d.status === 401 || d.code === 4401) {
    return new UnauthorizedError(`the manager at ${url} refused the token (set SWARMLAB_TOKEN)`, { details });
  }
  if (d.code === 4403 || d.status === 403) {
    return new ForbiddenError(`the manager at ${url} refused the connection: ${d.reason || d.status}`, {
      details,
    });
  }
  if (d.status === 404)
    return new NotFoundError(`no such endpoint on ${url}: is it a Swarmlab manager?`, { details });
  if ((d.status !== undefined && FATAL_STATUS.has(d.status)) || FATAL_CODES.has(d.code)) {
    return new InvalidError(`the manager at ${url} closed the connection: ${d.reason || d.status}`, {
      details,
    });
  }
  return undefined;
}

/**
 * Opens a socket and reports how it ends exactly once through `onDrop` (including a refused upgrade, whose
 * HTTP status is kept so auth failures are not retried).
 */
export function openSocket(url: string, token: string | undefined, onDrop: (d: Dropped) => void): WebSocket {
  const ws = new WebSocket(url, {
    headers: token ? { authorization: `Bearer ${token}` } : {},
    perMessageDeflate: false,
  });
  let status: number | undefined;
  let lastError = '';
  ws.on('unexpected-response', (_req, res) => {
    status = res.statusCode;
    res.resume();
    ws.terminate();
  });
  ws.on('error', (err) => {
    lastError = err.message;
  });
  ws.on('close', (code, reason) => {
    const text = reason.toString() || lastError;
    onDrop(status === undefined ? { code, reason: text } : { code, reason: text, status });
  });
  return ws;
}

export function unavailable(url: string, what: string, cause?: unknown): UnavailableError {
  return new UnavailableError(`${what}: no Swarmlab manager answers at ${url}`, { details: { url }, cause });
}
