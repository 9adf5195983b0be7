/**
 * GET of the intake stream over node:http(s) rather than fetch: its Readable hands over the socket's
 * chunks with less per-chunk overhead than a WHATWG stream, which shows at gigabytes per second.
 */
import http from 'node:http';
import https from 'node:https';
import { UnavailableError } from '../errors/index.js';
import { type SwarmlabClient, toError } from './client.js';

export function getStream(
  client: SwarmlabClient,
  path: string,
  query: Record<string, string | number | undefined>,
  signal?: AbortSignal,
): Promise<http.IncomingMessage> {
  const href = client.href(path, query);
  const get = href.startsWith('https:') ? https.get : http.get;
  return new Promise((resolve, reject) => {
    const req = get(href, { headers: client.headers(), signal }, (res) => {
      if ((res.statusCode ?? 500) < 300) return resolve(res);
      const parts: Buffer[] = [];
      res.on('data', (c: Buffer) => parts.push(c));
      res.on('end', () => {
        const body = Buffer.concat(parts);
        toError(
          new Response(body, { status: res.statusCode ?? 500, statusText: res.statusMessage ?? '' }),
        ).then(reject, reject);
      });
      res.on('error', reject);
    });
    req.on('error', (cause) => {
      if ((cause as Error).name === 'AbortError') return reject(cause);
      reject(
        new UnavailableError(`no Swarmlab manager at ${client.url} — start one with \`swarmlab up\``, {
          details: { url: client.url },
          cause,
        }),
      );
    });
  });
}
