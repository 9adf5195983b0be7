/** Node declarations from a JSON file (`{ "nodes": NodeSpec[] }`), validated with errors that name the bad field. */
import { readFile } from 'node:fs/promises';
import { z } from 'zod';
import { InvalidError, NotFoundError } from '../errors/index.js';
import type { NodeSpec } from './types.js';

const gpuSchema = z.strictObject({
  index: z.number().int().nonnegative(),
  name: z.string().min(1),
  memoryMb: z.number().positive(),
});

export const nodeSpecSchema = z.strictObject({
  name: z.string().min(1),
  engine: z.enum(['local', 'swarm']).optional(),
  pool: z.string().min(1).default('training'),
  labels: z.record(z.string(), z.string()).default({}),
  capacity: z
    .strictObject({
      cpus: z.number().positive(),
      memoryMb: z.number().positive(),
      gpus: z.array(gpuSchema).default([]),
    })
    .superRefine((cap, ctx) => {
      const seen = new Set<number>();
      cap.gpus.forEach((g, i) => {
        if (seen.has(g.index))
          ctx.addIssue({
            code: 'custom',
            path: ['gpus', i, 'index'],
            message: `duplicate GPU index ${g.index}`,
          });
        seen.add(g.index);
      });
    }),
});

export const nodesConfigSchema = z
  .strictObject({ nodes: z.array(nodeSpecSchema) })
  .superRefine((cfg, ctx) => {
    const seen = new Set<string>();
    cfg.nodes.forEach((n, i) => {
      if (seen.has(n.name))
        ctx.addIssue({
          code: 'custom',
          path: ['nodes', i, 'name'],
          message: `duplicate node name ${n.name}`,
        });
      seen.add(n.name);
    });
  });

/** `['nodes', 2, 'capacity']` → `nodes[2].capacity`. */
export const fieldPath = (path: ReadonlyArray<PropertyKey>): string =>
  path.reduce<string>(
    (acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc === '' ? String(k) : `${acc}.${String(k)}`),
    '',
  );

function toInvalid(source: string, error: z.ZodError): InvalidError {
  const issues = error.issues.map((i) => {
    const keys = i.code === 'unrecognized_keys' ? i.keys : [];
    const field = fieldPath(keys.length > 0 ? [...i.path, keys[0]!] : i.path) || '(root)';
    return { field, message: keys.length > 0 ? `unknown field` : i.message };
  });
  const first = issues[0]!;
  const more = issues.length > 1 ? ` (and ${issues.length - 1} more)` : '';
  return new InvalidError(`${source}: ${first.field}: ${first.message}${more}`, {
    details: { source, field: first.field, issues },
  });
}

/** Validates an already-parsed value; `source` (a file path, `node`) prefixes error messages. */
export function parseNodesConfig(value: unknown, source = 'nodes config'): NodeSpec[] {
  const r = nodesConfigSchema.safeParse(value);
  if (!r.success) throw toInvalid(source, r.error);
  return r.data.nodes;
}

/** Validates one node spec, as `Scheduler.addNode` receives it. */
export function parseNodeSpec(value: unknown, source = 'node'): NodeSpec {
  const r = nodeSpecSchema.safeParse(value);
  if (!r.success) throw toInvalid(source, r.error);
  return r.data;
}

export async function loadNodesConfig(path: string): Promise<NodeSpec[]> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    if ((cause as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new NotFoundError(`nodes config ${path} does not exist`, { details: { source: path }, cause });
    }
    throw cause;
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw new InvalidError(`${path}: not valid JSON: ${(cause as Error).message}`, {
      details: { source: path, field: '(root)' },
      cause,
    });
  }
  return parseNodesConfig(value, path);
}
