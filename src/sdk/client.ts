/** HTTP client for the manager's API, shared by the SDK and the CLI: finds URL and token, maps errors to types. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
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

export interface ClientOptions {
  /** Manager URL; default `SWARMLAB_URL`, else http://127.0.0.1:7070. */
  url?: string;
  /** API token; default `SWARMLAB_TOKEN`, else the token file in `SWARMLAB_DATA_DIR` or ./.swarmlab. */
  token?: string;
}

export interface RequestOptions {
  query?: Record<string, string | number | boolean | undefined>;
  body?: unknown;
  /** Raw body (streamed); sent as application/octet-stream unless `contentType` says otherwise. */
  raw?: RequestInit['body'];
  contentType?: string;
  headers?: Record<string, string>;
  signal?: AbortSignal;
}

const ERRORS: Record<string, new (m: string, o?: { details?: Record<string, unknown> }) => SwarmlabError> = {
  NOT_FOUND: NotFoundError,
  CONFLICT: ConflictError,
  INVALID: InvalidError,
  TOO_LARGE: TooLargeError,
  UNAUTHORIZED: UnauthorizedError,
  FORBIDDEN: ForbiddenError,
};

function defaultToken(env: NodeJS.ProcessEnv): string | undefined {
  if (env.SWARMLAB_TOKEN) return env.SWARMLAB_TOKEN;
  try {
    return readFileSync(join(env.SWARMLAB_DATA_DIR ?? '.swarmlab', 'token'), 'utf8').trim();
  } catch {
    return undefined;
  }
}

export class SwarmlabClient {
  readonly url: string;
  readonly token: string | undefined;

  constructor(options: ClientOptions = {}, env: NodeJS.ProcessEnv = process.env) {
    this.url = (options.url ?? env.SWARMLAB_URL ?? 'http://127.0.0.1:7070').replace(/\/+$/, '');
    this.token = options.token ?? defaultToken(env);
  }

  /** Full URL for an API path, with query parameters (undefined ones dropped). */
  href(path: string, query: RequestOptions['query'] = {}): string {
    const u = new URL(this.url + path);
    for (const [k, v] of Object.entries(query)) if (v !== undefined) u.searchParams.set(k, String(v));
    return u.toString();
  }

  headers(extra: Record<string, string> = {}): Record<string, string> {
    return this.token ? { authorization: `Bearer ${this.token}`, ...extra } : { ...extra };
  }

  /** Sends a request and returns the raw response; non-2xx answers become typed errors. */
  async fetch(method: string, path: string, options: RequestOptions = {}): Promise<Response> {
    const headers = this.headers(options.headers);
    let body: RequestInit['body'] | undefined;
    if (options.raw !== undefined) {
      body = options.raw;
      headers['content-type'] = options.contentType ?? 'application/octet-stream';
    } else if (options.body !== undefined) {
      body = JSON.stringify(options.body);
      headers['content-type'] = 'application/json';
    }
    let res: Response;
    try {
      res = await fetch(this.href(path, options.query), {
        method,
        headers,
        body,
        signal: options.signal,
        // Streamed request bodies need half-duplex in undici.
        ...(body && typeof body === 'object' && 'getReader' in body ? { duplex: 'half' } : {}),
      } as RequestInit);
    } catch (cause) {
      if ((cause as Error).name === 'AbortError') throw cause;
      throw new UnavailableError(`no Swarmlab manager at ${this.url} — start one with \`swarmlab up\``, {
        details: { url: this.url },
        cause,
      });
    }
    if (!res.ok) throw await toError(res);
    return res;
  }

  async json<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    const res = await this.fetch(method, path, options);
    if (res.status === 204) return undefined as T;
    return (await res.json()) as T;
  }
}

/** A non-2xx response as the typed error its `{error: {code}}` body names. */
export async function toError(res: Response): Promise<SwarmlabError> {
  let code = 'UNAVAILABLE';
  let message = `${res.status} ${res.statusText}`;
  let details: Record<string, unknown> = {};
  try {
    const body = (await res.json()) as {
      error?: { code?: string; message?: string; details?: Record<string, unknown> };
    };
    code = body.error?.code ?? code;
    message = body.error?.message ?? message;
    details = body.error?.details ?? {};
  } catch {
    // not JSON: keep the status line
  }
  const Cls = ERRORS[code] ?? UnavailableError;
  return new Cls(message, { details: { ...details, status: res.status } });
}
