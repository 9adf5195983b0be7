/** The session environment contract: what every executor hands a job, so it needs no arguments to report back. */

export interface SessionEnvInput {
  url: string;
  token: string;
  sessionId: string;
  /** `name@version`, or undefined when the session has no dataset. */
  dataset: string | undefined;
  node: string;
  /** GPU device indices granted; exactly these become CUDA_VISIBLE_DEVICES. */
  gpus: number[];
  gpuMemoryFraction: number;
  cpus: number;
  outputDir: string;
  rank?: number;
  worldSize?: number;
  /** The rank's position among the gang's ranks on its node, and how many ranks that node runs. */
  localRank?: number;
  localWorldSize?: number;
  /** A gang's rank 0 address and free port: set, the PyTorch variables (MASTER_ADDR, RANK…) are set too. */
  rendezvous?: { addr: string; port: number };
  /** The session's params, as SWARMLAB_PARAMS (JSON) and one SWARMLAB_PARAM_<NAME> each. */
  params?: Record<string, number | string | boolean>;
  project?: string | undefined;
  tags?: string[] | undefined;
  /** A retried or resubmitted session's attempt (the first is 1) and the session it repeats. */
  attempt?: number | undefined;
  retryOf?: string | undefined;
  /** The session's own variables; they cannot override the contract. */
  user?: Record<string, string>;
}

/**
 * Base environment (e.g. the manager's), minus its own `SWARMLAB_*` settings and GPU selection, plus the GPU share
 * in the forms frameworks read, plus the session's variables, plus the contract, which always wins.
 */
export function sessionEnv(
  input: SessionEnvInput,
  base: NodeJS.ProcessEnv = process.env,
): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(base)) {
    if (v === undefined || k.startsWith('SWARMLAB_') || k === 'CUDA_VISIBLE_DEVICES') continue;
    env[k] = v;
  }
  Object.assign(env, gpuShareVars(input.gpus, input.gpuMemoryFraction), input.user);
  return Object.assign(env, {
    SWARMLAB_URL: input.url,
    SWARMLAB_TOKEN: input.token,
    SWARMLAB_SESSION_ID: input.sessionId,
    SWARMLAB_DATASET: input.dataset ?? '',
    SWARMLAB_DEVICE: input.gpus.length > 0 ? 'gpu' : 'cpu',
    CUDA_VISIBLE_DEVICES: input.gpus.join(','),
    SWARMLAB_GPU_MEMORY_FRACTION: String(input.gpus.length > 0 ? input.gpuMemoryFraction : 0),
    OMP_NUM_THREADS: String(Math.max(1, Math.floor(input.cpus))),
    SWARMLAB_CPUS: String(input.cpus),
    SWARMLAB_OUTPUT_DIR: input.outputDir,
    SWARMLAB_RANK: String(input.rank ?? 0),
    SWARMLAB_WORLD_SIZE: String(input.worldSize ?? 1),
    SWARMLAB_LOCAL_RANK: String(input.localRank ?? 0),
    SWARMLAB_NODE: input.node,
    SWARMLAB_PROJECT: input.project ?? '',
    SWARMLAB_TAGS: (input.tags ?? []).join(','),
    SWARMLAB_PARAMS: JSON.stringify(input.params ?? {}),
    SWARMLAB_ATTEMPT: String(input.attempt ?? 1),
    SWARMLAB_RETRY_OF: input.retryOf ?? '',
    ...paramVars(input.params ?? {}),
    ...torchVars(input),
  });
}

/** What `torch.distributed.init_process_group(init_method='env://')` and torchrun-style scripts read. */
function torchVars(input: SessionEnvInput): Record<string, string> {
  if (!input.rendezvous) return {};
  return {
    MASTER_ADDR: input.rendezvous.addr,
    MASTER_PORT: String(input.rendezvous.port),
    RANK: String(input.rank ?? 0),
    WORLD_SIZE: String(input.worldSize ?? 1),
    LOCAL_RANK: String(input.localRank ?? 0),
    LOCAL_WORLD_SIZE: String(input.localWorldSize ?? 1),
  };
}

/**
 * A share of a GPU (fraction below 1) in the variables frameworks read themselves: TensorFlow then allocates as it
 * grows instead of taking the whole device, JAX preallocates only the share. PyTorch has no such variable; the Python
 * SDK applies it. The session's own variables may override these (a job that knows better).
 */
function gpuShareVars(gpus: number[], fraction: number): Record<string, string> {
  if (gpus.length === 0 || fraction >= 1) return {};
  return { TF_FORCE_GPU_ALLOW_GROWTH: 'true', XLA_PYTHON_CLIENT_MEM_FRACTION: String(fraction) };
}

/**
 * `lr` → SWARMLAB_PARAM_LR, `opt.beta-1` → SWARMLAB_PARAM_OPT_BETA_1, for plain scripts that read no JSON. Names
 * that map to the same variable keep the last in name order; SWARMLAB_PARAMS has them all.
 */
function paramVars(params: Record<string, number | string | boolean>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const name of Object.keys(params).sort()) {
    out[`SWARMLAB_PARAM_${name.toUpperCase().replace(/[.-]/g, '_')}`] = String(params[name]);
  }
  return out;
}
