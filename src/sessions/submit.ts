/** A submission becomes a session record (defaults, resource checks, feasibility, dataset); a record, a demand. */
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import { InvalidError, NotFoundError } from '../errors/index.js';
import type { Demand, FitVerdict, NodeEngine, Resources, Scheduler } from '../scheduler/index.js';
import { normalizeResources } from '../scheduler/index.js';
import type { DatasetResolver, SessionRecord, SessionSpec } from './types.js';

export const DEFAULT_RESOURCES: Required<Resources> = {
  cpus: 1,
  memoryMb: 512,
  gpus: 0,
  gpuMemoryFraction: 1,
};
export const DEFAULT_POOL = 'training';

const FIELD: Record<Exclude<FitVerdict, { ok: true }>['dimension'], string> = {
  pool: 'pool',
  labels: 'labels',
  gpus: 'resources.gpus',
  memoryMb: 'resources.memoryMb',
  cpus: 'resources.cpus',
  combination: 'resources',
  replicas: 'replicas',
};

export interface SubmitContext {
  scheduler: Scheduler;
  datasets: DatasetResolver | undefined;
  /** The session's output dir; also the default working dir. */
  outputDir: string;
  /** Where sessions with an image run; undefined when this manager has no container executor. */
  containerEngine: NodeEngine | undefined;
}

/** The nodes a session may be placed on: swarm nodes for containers in swarm mode, else this manager's. */
export const engineOf = (image: string | undefined, containerEngine: NodeEngine | undefined): NodeEngine =>
  image !== undefined && containerEngine !== undefined ? containerEngine : 'local';

/** What the scheduler places for a queued record. */
export const demandOf = (r: SessionRecord, containerEngine: NodeEngine | undefined): Demand => ({
  sessionId: r.id,
  resources: r.resources,
  priority: r.priority,
  pool: r.pool,
  labels: r.labels,
  engine: engineOf(r.image, containerEngine),
  submittedAt: r.createdAt,
  ...(r.replicas !== undefined ? { replicas: r.replicas } : {}),
});

async function resolveDataset(datasets: DatasetResolver | undefined, ref: string): Promise<string> {
  if (!datasets) {
    throw new InvalidError(`dataset: this manager has no dataset registry to resolve ${ref}`, {
      details: { field: 'dataset', value: ref },
    });
  }
  try {
    const { name, version } = await datasets.resolve(ref);
    return `${name}@${version}`;
  } catch (cause) {
    if (cause instanceof NotFoundError || cause instanceof InvalidError) {
      throw new InvalidError(`dataset: ${cause.message}`, {
        details: { field: 'dataset', value: ref },
        cause,
      });
    }
    throw cause;
  }
}

async function checkDir(cwd: string): Promise<void> {
  const s = await stat(cwd).catch(() => undefined);
  if (!s?.isDirectory()) {
    throw new InvalidError(`cwd: ${cwd} is not a directory on the manager's machine`, {
      details: { field: 'cwd', value: cwd },
    });
  }
}

/** What to submit again to retry `r`: its spec, with the default working dir left to the new session. */
export function specOf(r: SessionRecord, defaultCwd: string): SessionSpec {
  const spec: SessionSpec = {
    name: r.name,
    command: r.command,
    shell: r.shell,
    env: r.env,
    resources: r.resources,
    priority: r.priority,
    pool: r.pool,
    labels: r.labels,
  };
  if (r.cwd !== defaultCwd) spec.cwd = r.cwd;
  if (r.dataset !== undefined) spec.dataset = r.dataset;
  if (r.maxRuntimeMs !== undefined) spec.maxRuntimeMs = r.maxRuntimeMs;
  if (r.rules !== undefined) spec.rules = r.rules;
  if (r.image !== undefined) spec.image = r.image;
  if (r.keep) spec.keep = true;
  // The retry repeats the same experiment with its submitted params; those the job added are left for the
  // retry's job to add again (a value it discovers may differ this time, e.g. the GPU it got).
  const added = new Set(r.addedParams);
  const params = Object.fromEntries(Object.entries(r.params).filter(([k]) => !added.has(k)));
  if (Object.keys(params).length > 0) spec.params = params;
  if (r.tags !== undefined) spec.tags = r.tags;
  if (r.project !== undefined) spec.project = r.project;
  if (r.replicas !== undefined) spec.replicas = r.replicas;
  if (r.models !== undefined) spec.models = r.models;
  return spec;
}

/** Builds the `queued` record; throws InvalidError naming the field for anything that could never run. */
export async function buildRecord(
  id: string,
  spec: SessionSpec,
  ctx: SubmitContext,
  now: number,
): Promise<SessionRecord> {
  if (spec.command.length === 0 || spec.command[0] === '') {
    throw new InvalidError('command: must name a program', { details: { field: 'command' } });
  }
  const resources = normalizeResources({ ...DEFAULT_RESOURCES, ...spec.resources });
  const pool = spec.pool ?? DEFAULT_POOL;
  const labels = spec.labels ?? {};
  if (spec.image !== undefined && ctx.containerEngine === undefined) {
    throw new InvalidError(
      'image: this manager runs no container executor; start it with `swarmlab up --executor docker`',
      { details: { field: 'image', value: spec.image } },
    );
  }
  const engine = engineOf(spec.image, ctx.containerEngine);
  const replicas = spec.replicas ?? 1;
  if (!Number.isInteger(replicas) || replicas < 1) {
    throw new InvalidError('replicas: must be an integer ≥ 1', {
      details: { field: 'replicas', value: replicas },
    });
  }
  const verdict = ctx.scheduler.canEverFit(resources, pool, labels, engine, replicas);
  if (!verdict.ok) {
    const field = FIELD[verdict.dimension];
    throw new InvalidError(`${field}: ${verdict.reason}`, {
      details: { field, dimension: verdict.dimension, pool, engine },
    });
  }
  if (spec.cwd !== undefined) await checkDir(spec.cwd);
  const record: SessionRecord = {
    id,
    name: spec.name ?? basename(spec.command[0]!),
    command: spec.command,
    shell: spec.shell ?? false,
    cwd: spec.cwd ?? ctx.outputDir,
    env: spec.env ?? {},
    resources,
    priority: spec.priority ?? 0,
    pool,
    labels,
    params: spec.params ?? {},
    state: 'queued',
    createdAt: now,
    exitCode: null,
    signal: null,
  };
  if (spec.dataset !== undefined) record.dataset = await resolveDataset(ctx.datasets, spec.dataset);
  if (spec.maxRuntimeMs !== undefined) record.maxRuntimeMs = spec.maxRuntimeMs;
  if (spec.rules !== undefined) record.rules = spec.rules;
  if (spec.image !== undefined) record.image = spec.image;
  if (spec.keep) record.keep = true;
  if (spec.tags !== undefined && spec.tags.length > 0) record.tags = [...new Set(spec.tags)];
  if (spec.project !== undefined) record.project = spec.project;
  // A plain session's record stays as it was before gangs.
  if (replicas > 1) record.replicas = replicas;
  if (spec.models !== undefined && spec.models.length > 0) record.models = [...new Set(spec.models)];
  return record;
}
