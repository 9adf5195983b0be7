/**
 * The rules document a session carries (JSON, validated with zod); an invalid one names the bad field's path.
 * Not re-exported by api/index.ts (only its types are), so loading the wire types never loads zod.
 */
import { z } from 'zod';
import { InvalidError } from '../errors/index.js';

const metric = z.string().min(1).max(256);
const name = z.string().min(1).max(200).optional();
const action = z.enum(['stop', 'reject']).optional();
const epoch = z.number().int().min(0).optional();
const finite = z.number().refine(Number.isFinite, 'must be a finite number');

const nonFinite = z.strictObject({ name, metric, kind: z.literal('nonFinite'), action });

const threshold = z
  .strictObject({
    name,
    metric,
    kind: z.literal('threshold'),
    above: finite.optional(),
    below: finite.optional(),
    fromEpoch: epoch,
    action,
  })
  .refine((r) => r.above !== undefined || r.below !== undefined, {
    message: 'give above, below or both',
    path: ['above'],
  });

const noImprovement = z.strictObject({
  name,
  metric,
  kind: z.literal('noImprovement'),
  patience: z.number().int().min(1),
  mode: z.enum(['max', 'min']),
  minDelta: z.number().min(0).optional(),
  action,
});

const interval = z
  .strictObject({
    name,
    metric,
    kind: z.literal('interval'),
    min: finite,
    max: finite.optional(),
    fromEpoch: epoch,
    action,
  })
  .refine((r) => r.max === undefined || r.max >= r.min, { message: 'must be ≥ min', path: ['max'] });

export const stopRule = z.discriminatedUnion('kind', [nonFinite, threshold, noImprovement, interval]);

export const acceptRule = z
  .strictObject({
    name,
    metric,
    mode: z.enum(['max', 'min']).optional(),
    stage: z.enum(['staging', 'production']),
    model: z.string().min(1).max(200).optional(),
    beatProductionBy: z.number().min(0).optional(),
    atLeast: finite.optional(),
    atMost: finite.optional(),
    weightsDiff: z
      .strictObject({ minRelativeChange: finite.optional(), maxRelativeChange: finite.optional() })
      .optional(),
  })
  .refine((r) => r.atLeast === undefined || r.atMost === undefined || r.atMost >= r.atLeast, {
    message: 'must be ≥ atLeast',
    path: ['atMost'],
  });

export const onExitRule = z.strictObject({
  retry: z.number().int().min(0).max(10).optional(),
  codes: z.array(z.number().int()).optional(),
  flag: z.boolean().optional(),
});

export const rulesSchema = z.strictObject({
  stopIf: z.array(stopRule).max(100).optional(),
  accept: z.array(acceptRule).max(100).optional(),
  onExit: onExitRule.optional(),
});

export type RulesDoc = z.output<typeof rulesSchema>;
export type StopRule = z.output<typeof stopRule>;
export type AcceptRule = z.output<typeof acceptRule>;
export type OnExitRule = z.output<typeof onExitRule>;
export type StopAction = 'stop' | 'reject';

/** `['stopIf', 1, 'patience']` under `rules` → `rules.stopIf[1].patience`. */
export function formatPath(prefix: string, path: readonly PropertyKey[]): string {
  return path.reduce<string>(
    (acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc === '' ? String(k) : `${acc}.${String(k)}`),
    prefix,
  );
}

/** Validates a rules document; InvalidError's `details.field` is the path of the first bad field. */
export function parseRules(value: unknown, prefix = 'rules'): RulesDoc {
  const r = rulesSchema.safeParse(value);
  if (r.success) return r.data;
  const issue = r.error.issues[0]!;
  const keys = issue.code === 'unrecognized_keys' ? issue.keys.slice(0, 1) : [];
  const field = formatPath(prefix, [...issue.path, ...keys]);
  const message = keys.length > 0 ? 'unknown field' : issue.message;
  throw new InvalidError(`${field}: ${message}`, { details: { field } });
}
