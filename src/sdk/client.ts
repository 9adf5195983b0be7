/** HTTP client for the manager's API, shared by the SDK and the CLI: finds URL and token, maps errors to types. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { errorFromBody, httpRequest, readJson, unreachable } from './http.js';

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
      throw unreachable(this.url, cause);
    }
    if (!res.ok) throw errorFromBody(res.status, res.statusText, await res.text());
    return res;
  }

  /** A JSON call; its answer parsed. Raw (streamed) bodies go through `fetch`, everything else over node:http. */
  async json<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    if (options.raw !== undefined) {
      const res = await this.fetch(method, path, options);
      return (res.status === 204 ? undefined : await res.json()) as T;
    }
    const json: Record<string, string> =
      options.body === undefined ? {} : { 'content-type': 'application/json' };
    const res = await httpRequest(
      this.href(path, options.query),
      {
        method,
        headers: this.headers({ ...json, ...options.headers }),
        ...(options.body === undefined ? {} : { body: JSON.stringify(options.body) }),
        signal: options.signal,
      },
      this.url,
    );
    return readJson<T>(res);
  }
}

/** The client a typed API client works through: the one given, or a new one from `{url, token}`. */
export const clientOf = (client: SwarmlabClient | ClientOptions): SwarmlabClient =>
  client instanceof SwarmlabClient ? client : new SwarmlabClient(client);
