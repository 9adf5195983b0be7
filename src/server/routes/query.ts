/** Query-string parsing for routes: a zod schema in, typed values out, InvalidError naming the parameter. */
import { z } from 'zod';
import { InvalidError } from '../../errors/index.js';

/** `?x=a&x=b` or `?x=a,b` → `['a', 'b']`. */
export const listParam = z
  .union([z.string(), z.array(z.string())])
  .optional()
  .transform((v) =>
    v === undefined
      ? undefined
      : (Array.isArray(v) ? v : [v])
          .flatMap((s) => s.split(','))
          .map((s) => s.trim())
          .filter(Boolean),
  );

/** An integer query parameter within `[min, max]`. */
export const int = (min: number, max: number) => z.coerce.number().int().min(min).max(max);

export const sessionIdParam = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be 1–64 of [A-Za-z0-9_-]');

/**
 * Like `parseQuery`, but an unknown body field is named too (`details.field`), not just "body"; `prefix` places
 * a nested body (`session.` for a sweep's trial template).
 */
export function parseBody<S extends z.ZodType>(schema: S, body: unknown, prefix = ''): z.output<S> {
  const r = schema.safeParse(body ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
  const field = prefix + ([...issue.path, ...keys.slice(0, 1)].map(String).join('.') || 'body');
  const message = keys.length > 0 ? 'unknown field' : issue.message;
  throw new InvalidError(`${field}: ${message}`, { details: { field } });
}

export function parseQuery<S extends z.ZodType>(schema: S, query: unknown): z.output<S> {
  const r = schema.safeParse(query ?? {});
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const field = issue.path.map(String).join('.') || 'query';
  throw new InvalidError(`${field}: ${issue.message}`, { details: { field } });
}
