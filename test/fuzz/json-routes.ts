// Every route that reads a JSON body, found by registering the manager's routes on a throwaway Fastify app, and bodies that no schema can accept.

import fc from 'fast-check';
import Fastify from 'fastify';
import { registerRoutes } from '../../src/server/routes/index.js';
import type { Services } from '../../src/server/services.js';
import type { Json } from './mutate-json.js';

const BODY_METHODS = new Set(['POST', 'PUT', 'PATCH']);

/** `METHOD /path/:param` of every route with a body, as the server registers them (so a new route shows up here). */
export async function bodyRoutes(services: Services): Promise<string[]> {
  const app = Fastify();
  const found = new Set<string>();
  app.addHook('onRoute', (route) => {
    for (const m of [route.method].flat()) if (BODY_METHODS.has(m)) found.add(`${m} ${route.url}`);
  });
  await registerRoutes(app, services);
  await app.ready();
  await app.close();
  return [...found].sort();
}

/** The route's path with each `:param` replaced from `values`; throws naming a param it has no value for. */
export function fill(url: string, values: Record<string, string>): string {
  return url.replace(/:([A-Za-z]+)/g, (_, p: string) => {
    const v = values[p];
    if (v === undefined) throw new Error(`no fuzz value for :${p} in ${url}: add one`);
    return encodeURIComponent(v);
  });
}

const kind = (v: unknown): string => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v);

const anyJson = fc.jsonValue({ maxDepth: 3 }) as fc.Arbitrary<Json>;

/**
 * Bodies every route must refuse, built from a valid `seed` object: not an object at all; the seed with a field
 * it does not have; the seed with one field's value of another JSON type (never null, which a nullable field
 * may take). Every body schema is strict at the top, and none accepts a field of another type.
 */
export function refusedBodies(seed: Record<string, Json>): fc.Arbitrary<{ how: string; body: Json }> {
  const notObject = fc
    .oneof(
      fc.array(anyJson, { maxLength: 4 }),
      fc.string({ maxLength: 40 }),
      fc.double({ noNaN: true, noDefaultInfinity: true }),
      fc.boolean(),
    )
    .map((body) => ({ how: 'not an object', body }));
  const unknownField = fc
    .tuple(
      fc.string({ minLength: 1, maxLength: 12 }).filter((k) => !(k in seed)),
      anyJson,
    )
    .map(([k, v]) => ({ how: 'unknown field', body: { ...seed, [k]: v } }));
  const wrongType = fc
    .tuple(fc.constantFrom(...Object.keys(seed)), anyJson)
    .filter(([k, v]) => v !== null && kind(v) !== kind(seed[k]))
    .map(([k, v]) => ({ how: 'field of another type', body: { ...seed, [k]: v } }));
  return fc.oneof(notObject, unknownField, wrongType);
}
