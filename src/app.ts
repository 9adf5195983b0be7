/** Composition root: builds the manager's object graph from its config, and owns its shutdown. */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { access, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { type Logger, pino } from 'pino';
import { MAX_TRIALS } from './api/sweeps.js';
import { ArtifactService } from './artifacts/index.js';
import { createSessions } from './compose/sessions.js';
import { isLoopback, type ManagerConfig } from './config/index.js';
import { DatasetService, migrateDatasetRefs } from './datasets/index.js';
import { ConfigError } from './errors/index.js';
import { EventArchive, EventHub } from './events/index.js';
import { Experiments } from './experiments/index.js';
import { ModelRegistry, migrateModelRefs } from './models/index.js';
import { ResumeService } from './resume/index.js';
import { RetentionRunner } from './retention/index.js';
import { RulesEngine, rulesPurgeOps } from './rules/index.js';
import { buildServer, listen, type Server, type Services } from './server/index.js';
import { ModelServer, RegistrySource } from './serving/index.js';
import {
  acquireLease,
  describeHolder,
  type LeaseHolder,
  openStore,
  releaseStaleHolds,
  type Store,
} from './store/index.js';
import { SweepRunner } from './sweeps/index.js';
import { MetricSeries, MetricSummaries, SessionChannels, telemetryPurgeOps } from './telemetry/index.js';
import { SessionTokens, TokenService } from './tokens/index.js';
import { UsageMonitor } from './usage/index.js';

export interface Manager {
  url: string;
  token: string;
  store: Store;
  services: Services;
  server: Server;
  logger: Logger;
  /** Stops accepting requests, finishes in-flight ones, releases the store's lease, closes the store. Idempotent. */
  close(): Promise<void>;
  /** Settles once the manager has closed, whoever closed it: its owner, or itself on losing its lease. */
  readonly closed: Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  /** Told who holds the store while a standby manager waits for its lease. */
  onStandby?(holder: LeaseHolder): void;
  /**
   * Lets reports in for sessions the registry does not know (default false: refused). For tests and benchmarks of
   * the report transport alone; set here, not after start, so no reconnect can race the manager's own check.
   */
  admitUnknownSessions?: boolean;
}

async function ensureWritableDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK);
  } catch (cause) {
    const reason = (cause as NodeJS.ErrnoException).code ?? String(cause);
    throw new ConfigError(`--data-dir: cannot write to ${dir} (${reason})`, {
      details: { field: 'dataDir' },
      cause,
    });
  }
}

/** The configured token, else the one kept in the data dir, else a new one written there (mode 0600). */
async function loadToken(config: ManagerConfig): Promise<string> {
  if (config.token) return config.token;
  const file = join(config.dataDir, 'token');
  try {
    return (await readFile(file, 'utf8')).trim();
  } catch {
    const token = randomBytes(24).toString('base64url');
    await writeFile(file, `${token}\n`, { mode: 0o600 });
    return token;
  }
}

export async function startManager(config: ManagerConfig, options: StartOptions = {}): Promise<Manager> {
  const logger = options.logger ?? pino({ level: config.logLevel, base: { svc: 'swarmlab' } });
  await ensureWritableDir(config.dataDir);
  const token = await loadToken(config);
  const store = await openStore(config.store, { dataDir: config.dataDir });
  // Closed in this order: HTTP first (in-flight requests finish), then the domain, then the lease, then the store.
  const closers: Array<[string, () => Promise<void>]> = [['store', () => store.close()]];
  let closing: Promise<void> | undefined;
  let markClosed = () => {};
  const closed = new Promise<void>((resolve) => {
    markClosed = resolve;
  });
  const close = (): Promise<void> => {
    closing ??= (async () => {
      const failures: string[] = [];
      for (const [name, fn] of closers) {
        try {
          await fn();
        } catch (err) {
          failures.push(`${name}: ${String(err)}`);
          logger.error({ err }, `closing ${name} failed`);
        }
      }
      if (failures.length) throw new Error(`shutdown incomplete: ${failures.join('; ')}`);
    })().finally(markClosed);
    return closing;
  };
  // Before anything writes: migrations, recovery and reconciliation are one manager's job.
  const lease = await acquireLease(store, {
    ttlMs: config.leaseTtlMs,
    wait: config.standby,
    hint: 'stop it first, or start this manager with --standby to take over when it goes',
    onWait: (holder) => {
      logger.info({ holder }, 'standby: waiting for the store lease');
      options.onStandby?.(holder);
    },
    onLost: (successor) => {
      const by = successor ? ` by ${describeHolder(successor)}` : '';
      logger.error({ successor }, `lost the store lease${by}; shutting down (its writes now fail)`);
      close().catch(() => undefined);
    },
    onRenewError: (err) => logger.warn({ err }, 'renewing the store lease failed; retrying'),
  }).catch(async (err) => {
    await store.close();
    throw err;
  });
  closers.unshift(['lease', () => lease.release()]);
  /** For start-up failures: the lease goes with the store, so a retry on this store starts at once. */
  const closeStore = async () => {
    try {
      await lease.release();
    } finally {
      await store.close();
    }
  };
  let url = `http://${config.host}:${config.port}`;
  const events = new EventArchive(store);
  const hub = new EventHub(store, events);
  closers.unshift(['events', () => hub.close()]);
  const series = new MetricSeries(store);
  const channels = new SessionChannels(store, events, series, logger);
  closers.unshift(['channels', () => channels.close()]);
  const datasets = new DatasetService({
    store,
    events,
    logger,
    bodyLimit: config.bodyLimit,
    // Consumers on this host may read shards straight from the LMDB map (SDK node-local path).
    ...(config.store === 'lmdb' ? { localStorePath: join(config.dataDir, 'store') } : {}),
  });
  await (async () => {
    // Both domains' blob references from before blob owners become owners before anything may drop one: an
    // unref frees a blob nobody owns, and one scheme's references were invisible to the other.
    await migrateDatasetRefs(store);
    await migrateModelRefs(store);
    // Rolls back imports a killed manager left half-written, before anything new is accepted.
    await datasets.start();
    const released = await releaseStaleHolds(store);
    if (released > 0)
      logger.warn({ released }, 'released blob uploads (weights, artifacts) a killed manager left unsaved');
  })().catch(async (err) => {
    await closeStore();
    throw err;
  });
  const artifacts = new ArtifactService({ store, logger }, { maxFileBytes: config.bodyLimit });
  const sessionTokens = new SessionTokens(token);
  const { sessions, scheduler, swarmSync, executor } = await createSessions({
    store,
    events,
    logger,
    dataDir: config.dataDir,
    publicUrl: () => url,
    sessionToken: (id) => sessionTokens.mint(id),
    nodesFile: config.nodesFile,
    localNode: config.localNode,
    longRunMs: config.longRunMs,
    stopGraceMs: config.stopGraceMs,
    executor: {
      kind: config.executor,
      dockerHost: config.dockerHost,
      dockerNetwork: config.dockerNetwork,
      dockerMode: config.dockerMode,
    },
    stopChannel: () => channels,
    datasets,
    artifacts,
    purgers: [(id) => telemetryPurgeOps(store, id), (id) => artifacts.purgeOps(id), rulesPurgeOps],
  }).catch(async (err) => {
    await closeStore();
    throw err;
  });
  closers.unshift(['sessions', () => sessions.close()]);
  const usage = new UsageMonitor(
    { store, series, executor, sessions, nodes: () => scheduler.nodes(), logger },
    { intervalMs: config.usageIntervalMs },
  );
  // Before sessions close: a tick under way still reads their executor.
  closers.unshift(['usage', () => usage.stop()]);
  if (swarmSync) closers.unshift(['swarm', () => swarmSync.close()]);
  if (!options.admitUnknownSessions) {
    channels.setAdmission(async (id) => {
      await sessions.get(id);
    });
  }
  const models = new ModelRegistry({ store, events, logger, maxUploadBytes: config.bodyLimit });
  const rules = new RulesEngine({ store, events, hub, sessions, models, logger });
  // Before sessions close: a firing in flight may still stop, stage or retry.
  closers.unshift(['rules', () => rules.close()]);
  const summaries = new MetricSummaries(store, series);
  const experiments = new Experiments({ sessions, series, summaries });
  const sweeps = new SweepRunner({
    store,
    events,
    hub,
    models,
    logger,
    sessions: {
      submit: (spec) => sessions.submit(spec),
      stop: (id, reason, o) => sessions.stop(id, reason, o),
      tagged: async (tag) => (await experiments.list({ tags: [tag], limit: MAX_TRIALS })).sessions,
    },
  });
  // Like the rules: before sessions close, so a stop in flight still lands.
  closers.unshift(['sweeps', () => sweeps.close()]);
  // Serves production generations on /v1 and /v2; hot-swaps them on `model.promoted`.
  const serving = new ModelServer({ source: new RegistrySource(models, hub, events), logger });
  closers.unshift(['serving', () => serving.close()]);
  const retention = new RetentionRunner(
    {
      store,
      repo: sessions.repo,
      experiments,
      summaries,
      removeSession: (id) => sessions.delete(id),
      logger,
    },
    config.retention,
  );
  // First to stop: a pass in flight finishes before the sessions and the store it writes to close.
  closers.unshift(['retention', () => retention.close()]);
  const services: Services = {
    store,
    logger,
    events,
    hub,
    channels,
    series,
    sessions,
    experiments,
    retention,
    scheduler,
    usage,
    datasets,
    models,
    rules,
    sweeps,
    serving,
    artifacts,
    resume: new ResumeService({ sessions, artifacts, models }),
    token,
    tokens: new TokenService({ store, events }),
    sessionTokens,
    publicUrl: () => url,
  };
  let server: Server;
  try {
    await hub.start();
    // Resumes from its stored cursor before sessions (re-)start, so no event of theirs is missed.
    await rules.start();
    // The same for the sweeps' trials (handled from `resume`, once the sessions started).
    await sweeps.start();
    await serving.start();
    server = await buildServer({
      services,
      requireToken: config.requireToken,
      exposed: !isLoopback(config.host),
      bodyLimit: config.bodyLimit,
    });
    await listen(server.app, config.host, config.port);
  } catch (err) {
    await hub.close();
    await closeStore();
    throw err;
  }
  closers.unshift(['http', () => server.app.close()]);
  const address = server.app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  url = `http://${host}:${port}`;
  // After listen: sessions (re-)started now get the real URL in SWARMLAB_URL.
  try {
    await sessions.start();
    // Only now may sweeps submit trials: the sessions reconciled what the last manager left.
    await sweeps.resume();
    // After reconciliation, which restored placements on the swarm nodes synced at creation.
    swarmSync?.start();
    retention.start();
    usage.start();
  } catch (err) {
    await server.app.close();
    await sessions.close();
    await hub.close();
    await closeStore();
    throw err;
  }
  // Written at once, so a refused or standby manager can name where the holder serves.
  await lease.setUrl(url);
  return { url, token, store, services, server, logger, close, closed };
}
