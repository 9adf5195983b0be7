/** What the session environment says about the run as an experiment: params (SWARMLAB_PARAMS), project, tags. */
import type { ParamValue } from '../api/index.js';
import { ConfigError } from '../errors/index.js';

export interface ExperimentInfo {
  params: Record<string, ParamValue>;
  project: string | undefined;
  tags: string[];
}

export function experimentInfo(env: NodeJS.ProcessEnv): ExperimentInfo {
  let params: unknown = {};
  try {
    params = JSON.parse(env.SWARMLAB_PARAMS || '{}');
  } catch (cause) {
    throw new ConfigError('SWARMLAB_PARAMS: not JSON', { details: { field: 'SWARMLAB_PARAMS' }, cause });
  }
  if (params === null || typeof params !== 'object' || Array.isArray(params)) {
    throw new ConfigError('SWARMLAB_PARAMS: not a JSON object', { details: { field: 'SWARMLAB_PARAMS' } });
  }
  return {
    params: params as Record<string, ParamValue>,
    project: env.SWARMLAB_PROJECT || undefined,
    tags: env.SWARMLAB_TAGS ? env.SWARMLAB_TAGS.split(',') : [],
  };
}
