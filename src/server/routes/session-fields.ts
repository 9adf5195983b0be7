/** Zod schemas for what labels a session (params, tags, project), shared by submit and the job's own additions. */
import { z } from 'zod';
import { MAX_PARAMS } from '../../sessions/index.js';

const MAX_TAGS = 32;
const MAX_STRING_BYTES = 1024;

export const paramName = z
  .string()
  .regex(/^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/, 'must be 1–64 of [A-Za-z0-9_.-], starting with a letter or _');

const paramValue = z.union(
  [
    z.number().finite(),
    z.string().refine((s) => Buffer.byteLength(s) <= MAX_STRING_BYTES, 'must be at most 1 KiB'),
    z.boolean(),
  ],
  { error: 'must be a finite number, a string (at most 1 KiB) or a boolean' },
);

export const paramsSchema = z.record(z.string(), paramValue).superRefine((params, ctx) => {
  const names = Object.keys(params);
  if (names.length > MAX_PARAMS) ctx.addIssue({ code: 'custom', message: `at most ${MAX_PARAMS} params` });
  for (const name of names) {
    const r = paramName.safeParse(name);
    if (!r.success) ctx.addIssue({ code: 'custom', path: [name], message: r.error.issues[0]!.message });
  }
});

/** Tags and projects end up in URLs, env vars and table cells: short safe names only. */
export const safeName = z.string().regex(/^[A-Za-z0-9_.-]{1,64}$/, 'must be 1–64 of [A-Za-z0-9_.-]');

export const tagsSchema = z.array(safeName).max(MAX_TAGS, `at most ${MAX_TAGS} tags`);
