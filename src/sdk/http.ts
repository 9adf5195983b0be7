/**
 * Requests over node:http(s) rather than fetch: for the intake stream its Readable hands over the socket's
 * chunks with less per-chunk overhead than a WHATWG stream (it shows at gigabytes per second), and for small
 * JSON calls a process that used fetch lingers ~150 ms before it can exit, which a CLI command would pay.
 */
import http from 'node:http';
import https from 'node:https';
import {
  ConflictError,
  ForbiddenError,
  InvalidError,
  NotFoundError,
  type SwarmlabError,
  TooLargeError,
  UnauthorizedError,
  UnavailableError,
} from '../errors/index.js';

const ERRORS: Record<string, new (m: string, o?: { details?: Record<string, unknown> }) => SwarmlabError> = {
  NOT_FOUND: NotFoundError,
  CONFLICT: ConflictError,
  INVALID: InvalidError,
  TOO_LARGE: TooLargeError,
  UNAUTHORIZED: UnauthorizedError,
  FORBIDDEN: ForbiddenError,
};

/** A non-2xx answer as the typed error its `{error: {code}}` body names (the status line if it is not JSON). */
export function errorFromBody(status: number, statusText: string, text: string): SwarmlabError {
  let code = 'UNAVAILABLE';
  let message = `${status} ${statusText}`;
  let details: Record<string, unknown> = {};
  try {
    const body = JSON.parse(text) as {
      error?: { code?: string; message?: string; details?: Record<string, unknown> };
    };
    code = body.error?.code ?? code;
    message = body.error?.message ?? message;
    details = body.error?.details ?? {};
  } catch {
    // not JSON: keep the status line
  }
  const Cls = ERRORS[code] ?? UnavailableError;
  return new Cls(message, { details: { ...details, status } });
}

/** The error for a manager that did not answer at all. */
export const unreachable = (url: string, cause: unknown): UnavailableError =>
  new UnavailableError(`no Swarmlab manager at ${url} — start one with \`swarmlab up\``, {
    details: { url },
    cause,
  });

const text = (res: http.IncomingMessage): Promise<string> =>
  new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    res.on('data', (c: Buffer) => parts.push(c));
    res.on('end', () => resolve(Buffer.concat(parts).toString()));
    res.on('error', reject);
  });

export interface HttpRequest {
  method: string;
  headers: Record<string, string>;
  body?: string;
  signal?: AbortSignal | undefined;
}

/** Sends a request; resolves with the response once its status is 2xx, else rejects with the typed error. */
export function httpRequest(
  href: string,
  req: HttpRequest,
  managerUrl: string,
): Promise<http.IncomingMessage> {
  const send = href.startsWith('https:') ? https.request : http.request;
  return new Promise((resolve, reject) => {
    const out = send(href, { method: req.method, headers: req.headers, signal: req.signal }, (res) => {
      const status = res.statusCode ?? 500;
      if (status < 300) return resolve(res);
      text(res).then((t) => reject(errorFromBody(status, res.statusMessage ?? '', t)), reject);
    });
    out.on('error', (cause) =>
      reject((cause as Error).name === 'AbortError' ? cause : unreachable(managerUrl, cause)),
    );
    out.end(req.body);
  });
}

/** A 2xx response's JSON body (undefined for 204 No Content). */
export async function readJson<T>(res: http.IncomingMessage): Promise<T> {
  const body = await text(res);
  return (res.statusCode === 204 || body === '' ? undefined : JSON.parse(body)) as T;
}
