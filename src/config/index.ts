/** Manager configuration: what the user passes, with defaults filled, validated into one typed object. */
import { isAbsolute, resolve } from 'node:path';
import { ConfigError } from '../errors/index.js';
import { parseDurationMs } from '../util/duration.js';

export interface ManagerOptions {
  dataDir?: string;
  host?: string;
  port?: number | string;
  /** `lmdb` (embedded, default) or `redis://host:port/db[?prefix=...]`. */
  store?: string;
  /** API token; when absent one is generated into the data dir on first start. */
  token?: string;
  /** Require the token even on loopback. */
  requireToken?: boolean;
  /** Largest accepted upload, bytes. */
  bodyLimit?: number | string;
  logLevel?: string;
  /** JSON file declaring extra nodes (`{"nodes": [...]}`), see README. */
  nodes?: string;
  /** Describe this machine as a node (default true); a declared node of the same name replaces it. */
  localNode?: boolean;
  /** `training` sessions running longer than this are demoted to `low-priority` (e.g. `5h`). */
  longRun?: number | string;
  /** Time between asking a session to stop (SIGTERM) and SIGKILL (e.g. `10s`). */
  stopGrace?: number | string;
  /** `local` (processes only, default) or `docker` (sessions with an image run as containers / swarm services). */
  executor?: string;
  /** Docker engine address, e.g. `unix:///var/run/docker.sock`; default DOCKER_HOST or the standard socket. */
  dockerHost?: string;
  /** Network for session containers (default `host`, so they reach the manager at its loopback URL). */
  dockerNetwork?: string;
  /** `auto` (services when the engine is a swarm manager, else containers; default), `container` or `swarm`. */
  dockerMode?: string;
  /** A manager that has not renewed its lease on the store for this long is gone (e.g. `10s`); see README. */
  leaseTtl?: number | string;
  /** Wait for the store's lease while another manager holds it, instead of refusing to start. */
  standby?: boolean;
  /** Time between usage samples of running sessions (e.g. `5s`); `0` or `off` turns sampling off. */
  usageInterval?: number | string;
}

export type DockerMode = 'auto' | 'container' | 'swarm';
const DOCKER_MODES: readonly string[] = ['auto', 'container', 'swarm'] satisfies DockerMode[];

export type ExecutorKind = 'local' | 'docker';

export interface ManagerConfig {
  dataDir: string;
  host: string;
  port: number;
  store: string;
  token: string | undefined;
  requireToken: boolean;
  bodyLimit: number;
  logLevel: string;
  /** Absolute path, or undefined when no nodes file is given. */
  nodesFile: string | undefined;
  localNode: boolean;
  longRunMs: number;
  stopGraceMs: number;
  executor: ExecutorKind;
  dockerHost: string | undefined;
  dockerNetwork: string;
  dockerMode: DockerMode;
  leaseTtlMs: number;
  standby: boolean;
  /** 0: no usage sampling. */
  usageIntervalMs: number;
}

export const defaults = {
  dataDir: './.swarmlab',
  host: '127.0.0.1',
  port: 7070,
  store: 'lmdb',
  requireToken: false,
  bodyLimit: 4 * 1024 ** 3,
  logLevel: 'info',
  localNode: true,
  longRun: '5h',
  stopGrace: '10s',
  executor: 'local',
  dockerNetwork: 'host',
  dockerMode: 'auto',
  leaseTtl: '10s',
  standby: false,
  usageInterval: '5s',
} satisfies ManagerOptions;

/** Reads `SWARMLAB_*` variables; flags given explicitly win over them. */
export function optionsFromEnv(env: NodeJS.ProcessEnv = process.env): ManagerOptions {
  const out: ManagerOptions = {};
  if (env.SWARMLAB_DATA_DIR) out.dataDir = env.SWARMLAB_DATA_DIR;
  if (env.SWARMLAB_HOST) out.host = env.SWARMLAB_HOST;
  if (env.SWARMLAB_PORT) out.port = env.SWARMLAB_PORT;
  if (env.SWARMLAB_STORE) out.store = env.SWARMLAB_STORE;
  if (env.SWARMLAB_TOKEN) out.token = env.SWARMLAB_TOKEN;
  if (env.SWARMLAB_BODY_LIMIT) out.bodyLimit = env.SWARMLAB_BODY_LIMIT;
  if (env.SWARMLAB_LOG_LEVEL) out.logLevel = env.SWARMLAB_LOG_LEVEL;
  if (env.SWARMLAB_NODES) out.nodes = env.SWARMLAB_NODES;
  if (env.SWARMLAB_LOCAL_NODE) out.localNode = !/^(0|false|no|off)$/i.test(env.SWARMLAB_LOCAL_NODE);
  if (env.SWARMLAB_LONG_RUN) out.longRun = env.SWARMLAB_LONG_RUN;
  if (env.SWARMLAB_STOP_GRACE) out.stopGrace = env.SWARMLAB_STOP_GRACE;
  if (env.SWARMLAB_EXECUTOR) out.executor = env.SWARMLAB_EXECUTOR;
  if (env.SWARMLAB_DOCKER_HOST) out.dockerHost = env.SWARMLAB_DOCKER_HOST;
  if (env.SWARMLAB_DOCKER_NETWORK) out.dockerNetwork = env.SWARMLAB_DOCKER_NETWORK;
  if (env.SWARMLAB_DOCKER_MODE) out.dockerMode = env.SWARMLAB_DOCKER_MODE;
  if (env.SWARMLAB_LEASE_TTL) out.leaseTtl = env.SWARMLAB_LEASE_TTL;
  if (env.SWARMLAB_STANDBY) out.standby = !/^(0|false|no|off)$/i.test(env.SWARMLAB_STANDBY);
  if (env.SWARMLAB_USAGE_INTERVAL) out.usageInterval = env.SWARMLAB_USAGE_INTERVAL;
  return out;
}

const SIZE = /^(\d+(?:\.\d+)?)\s*([kmgt]i?b?|b)?$/i;
const UNITS: Record<string, number> = { b: 1, k: 1024, m: 1024 ** 2, g: 1024 ** 3, t: 1024 ** 4 };

/** Parses `4GiB`, `512m`, `1048576` into bytes. */
export function parseSize(value: number | string, field: string): number {
  if (typeof value === 'number') return value;
  const m = SIZE.exec(value.trim());
  if (!m)
    throw new ConfigError(`${field}: "${value}" is not a size (e.g. 4GiB, 512MiB)`, { details: { field } });
  const unit = (m[2] ?? 'b')[0]!.toLowerCase();
  return Math.floor(Number(m[1]) * UNITS[unit]!);
}

/** `5h`, `90m`, `1h30m`, `500ms`; a JSON number means seconds, text needs its units. */
export function parseDuration(value: number | string, field: string): number {
  const ms = parseDurationMs(value);
  if (ms === undefined || ms <= 0) {
    throw new ConfigError(
      `${field}: "${value}" is not a duration: give its units (e.g. 5h, 90m, 30s, 1h30m)`,
      {
        details: { field },
      },
    );
  }
  return ms;
}

/** A duration, or `0` / `off` for none. */
function parseOptionalDuration(value: number | string, field: string): number {
  return value === 0 || /^\s*(0|off)\s*$/i.test(String(value)) ? 0 : parseDuration(value, field);
}

function parsePort(value: number | string): number {
  const port = typeof value === 'number' ? value : Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new ConfigError(`--port: "${value}" is not a port number (0-65535)`, {
      details: { field: 'port' },
    });
  }
  return port;
}

/** Later layers win (e.g. `resolveConfig(optionsFromEnv(), flags)`); undefined values never override. */
export function resolveConfig(...layers: ManagerOptions[]): ManagerConfig {
  const merged = Object.assign({ ...defaults }, ...layers.map(stripUndefined)) as Required<
    Omit<ManagerOptions, 'token' | 'dockerHost'>
  > &
    Pick<ManagerOptions, 'token' | 'dockerHost'>;
  const store = merged.store;
  if (store !== 'lmdb' && !store.startsWith('redis://') && !store.startsWith('rediss://')) {
    throw new ConfigError(`--store: "${store}" is not "lmdb" or a redis://host:port/db URL`, {
      details: { field: 'store' },
    });
  }
  const bodyLimit = parseSize(merged.bodyLimit, '--body-limit');
  if (merged.executor !== 'local' && merged.executor !== 'docker') {
    throw new ConfigError(`--executor: "${merged.executor}" is not "local" or "docker"`, {
      details: { field: 'executor' },
    });
  }
  if (!DOCKER_MODES.includes(merged.dockerMode)) {
    throw new ConfigError(`--docker-mode: "${merged.dockerMode}" is not auto, container or swarm`, {
      details: { field: 'dockerMode' },
    });
  }
  return {
    dataDir: isAbsolute(merged.dataDir) ? merged.dataDir : resolve(merged.dataDir),
    host: merged.host,
    port: parsePort(merged.port),
    store,
    token: merged.token,
    requireToken: merged.requireToken,
    bodyLimit,
    logLevel: merged.logLevel,
    nodesFile: (merged.nodes as string | undefined) ? resolve(merged.nodes) : undefined,
    localNode: merged.localNode,
    longRunMs: parseDuration(merged.longRun, '--long-run'),
    stopGraceMs: parseDuration(merged.stopGrace, '--stop-grace'),
    executor: merged.executor,
    dockerHost: merged.dockerHost,
    dockerNetwork: merged.dockerNetwork,
    dockerMode: merged.dockerMode as DockerMode,
    leaseTtlMs: parseDuration(merged.leaseTtl, '--lease-ttl'),
    standby: merged.standby,
    usageIntervalMs: parseOptionalDuration(merged.usageInterval, '--usage-interval'),
  };
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  return Object.fromEntries(Object.entries(o).filter(([, v]) => v !== undefined)) as Partial<T>;
}

/** True when the address only accepts connections from this machine. */
export const isLoopback = (host: string): boolean =>
  host === 'localhost' || host === '::1' || host.startsWith('127.');
