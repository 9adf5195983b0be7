/**
 * The dashboard: `web/dist` (built by `npm run build`) served at `/`, with client routes (`/sessions/ID`, …)
 * answered by index.html. The files are public (the app asks for the token itself); API paths never fall
 * through to it. Without a build, `/` says how to make one.
 */
import { existsSync, statSync } from 'node:fs';
import { resolve, sep } from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** `web/dist` from both `src/server/routes` (tsx) and `dist/server/routes` (built). */
export const DEFAULT_WEB_ROOT = resolve(import.meta.dirname, '../../../web/dist');

/** Paths that belong to the API, metrics or model serving: a miss there is a JSON 404, not the app. */
const RESERVED = /^\/(api|v1|v2)(\/|$)|^\/(healthz|metrics)$/;

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>Swarmlab</title>
<body style="font:15px system-ui;max-width:40em;margin:4em auto">
<h1>Swarmlab</h1><p>The dashboard is not built. In the Swarmlab checkout run <code>npm run build</code>
(<code>npm install</code> does it too), then reload. The API is up under <code>/api/v1</code>.</p>`;

export interface WebOptions {
  /** Folder holding index.html and assets/ (default `web/dist` of this package). */
  root?: string;
}

export async function registerWebRoutes(app: FastifyInstance, options: WebOptions = {}): Promise<void> {
  const root = options.root ?? DEFAULT_WEB_ROOT;
  // serve: false — only `reply.sendFile`; the route below decides between a file and the app shell.
  await app.register(fastifyStatic, { root, serve: false, wildcard: false });

  const isFile = (rel: string): boolean => {
    const full = resolve(root, `.${rel}`);
    if (full !== root && !full.startsWith(root + sep)) return false;
    try {
      return statSync(full).isFile();
    } catch {
      return false;
    }
  };

  const shell = (reply: FastifyReply) => {
    if (!existsSync(resolve(root, 'index.html'))) {
      return reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(NOT_BUILT);
    }
    return reply.header('cache-control', 'no-cache').sendFile('index.html', { cacheControl: false });
  };

  const handler = async (request: { url: string }, reply: FastifyReply) => {
    let path: string;
    try {
      path = decodeURIComponent(request.url.split('?')[0]!);
    } catch {
      return reply.callNotFound();
    }
    if (RESERVED.test(path)) return reply.callNotFound();
    if (path !== '/' && path !== '/index.html' && isFile(path)) {
      // Vite names assets by content hash: they never change under the same name.
      const hashed = path.startsWith('/assets/');
      return reply.sendFile(path.slice(1), {
        cacheControl: true,
        immutable: hashed,
        maxAge: hashed ? 365 * 24 * 3600 * 1000 : 0,
      });
    }
    // A client route (or a missing asset under a client path): the app shell decides what to show.
    if (/\.[a-z0-9]{1,8}$/i.test(path) && path.startsWith('/assets/')) return reply.callNotFound();
    return shell(reply);
  };

  const config = { public: true };
  app.get('/', { config }, handler);
  app.get('/*', { config }, handler);
}
