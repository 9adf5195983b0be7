/**
 * `swarmlab serve`: a standalone model server (the production tier on its own nodes). It reads generations from
 * a manager over HTTP and follows its `model.promoted` events over WebSocket to hot-swap, so it needs no access
 * to the store. `swarmlab up` serves the same endpoints in the manager's process.
 */
import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import type { FastifyInstance } from 'fastify';
import { pino } from 'pino';
import { isLoopback } from '../../config/index.js';
import { ConfigError } from '../../errors/index.js';
import { HttpModelSource, SwarmlabClient } from '../../sdk/index.js';
import { buildServingServer, createRegistry, listen } from '../../server/index.js';
import { ModelServer, type ServingConfig } from '../../serving/index.js';
import { isClusterWorker, leaveCluster, runPrimary, WorkerLink } from './serve-cluster.js';

interface ServeFlags {
  models: string;
  port: string;
  host: string;
  url?: string;
  token?: string;
  config?: string;
  lazy?: boolean;
  maxBatchSize?: string;
  maxDelayMs?: string;
  batching: boolean;
  requireToken?: boolean;
  logLevel: string;
  workers: string;
}

/** `{"defaults": {...}, "models": {"name": {...}}}` with ServingConfig fields. */
async function readConfig(file: string | undefined) {
  if (!file) return {};
  try {
    return JSON.parse(await readFile(file, 'utf8')) as {
      defaults?: Partial<ServingConfig>;
      models?: Record<string, Partial<ServingConfig>>;
    };
  } catch (cause) {
    throw new ConfigError(`--config: cannot read ${file} as JSON (${String(cause)})`, {
      details: { field: 'config' },
      cause,
    });
  }
}

const number = (v: string | undefined, field: string): number | undefined => {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!Number.isFinite(n)) throw new ConfigError(`${field}: "${v}" is not a number`, { details: { field } });
  return n;
};

export function registerServe(program: Command): void {
  program
    .command('serve')
    .description('serve models standalone (TF-Serving /v1 and KServe /v2), following a manager')
    .requiredOption('--models <list>', 'comma-separated model names to serve')
    .option('--port <port>', 'HTTP port', '8501')
    .option('--host <host>', 'address to bind', '127.0.0.1')
    .option('--url <url>', 'manager URL (default SWARMLAB_URL, else http://127.0.0.1:7070)')
    .option(
      '--token <token>',
      'manager API token, also required from clients for settings (default SWARMLAB_TOKEN)',
    )
    .option(
      '--config <file>',
      'JSON: {"defaults": {...}, "models": {"name": {maxBatchSize, maxDelayMs, canaryPercent, ...}}}',
    )
    .option('--lazy', 'load each model on its first request instead of at start')
    .option('--max-batch-size <n>', 'rows per runtime call (default 32)')
    .option('--max-delay-ms <ms>', 'longest a request waits for a batch to fill (default 2)')
    .option('--no-batching', 'one runtime call per request')
    .option('--require-token', 'clients must present the token for inference too')
    .option('--log-level <level>', 'pino log level', 'info')
    .option(
      '--workers <n>',
      'server processes sharing the port: one core each (onnxruntime runs on the loop)',
      '1',
    )
    .action(async (flags: ServeFlags) => {
      const workers = number(flags.workers, '--workers') ?? 1;
      if (!Number.isInteger(workers) || workers < 1 || workers > 64) {
        throw new ConfigError(`--workers: "${flags.workers}" is not a whole number from 1 to 64`, {
          details: { field: 'workers' },
        });
      }
      const models = flags.models
        .split(',')
        .map((s) => s.trim())
        .filter(Boolean);
      const client = new SwarmlabClient({
        ...(flags.url ? { url: flags.url } : {}),
        ...(flags.token ? { token: flags.token } : {}),
      });
      const announce = (port: number) =>
        process.stdout.write(
          `Serving ${models.join(', ')} from ${client.url} at http://${flags.host}:${port} ` +
            `(/v1 TF-Serving, /v2 KServe${workers > 1 ? `; ${workers} worker processes` : ''})\n`,
        );
      if (workers > 1 && !isClusterWorker()) {
        process.exitCode = await runPrimary({
          workers,
          onListening: announce,
          log: (line) => process.stderr.write(`swarmlab serve: ${line}\n`),
        });
        return;
      }
      try {
        await serveHere(flags, models, client, announce);
      } finally {
        // A cluster worker stays alive while connected to the primary: leave, whether it stopped or failed.
        leaveCluster();
      }
    });
}

/** One server process: the whole server, or one worker of `--workers N`. Resolves once stopped by a signal. */
async function serveHere(
  flags: ServeFlags,
  models: string[],
  client: SwarmlabClient,
  announce: (port: number) => void,
): Promise<void> {
  // Logs go to stderr: stdout carries the one "Serving … at URL" line scripts read.
  const logger = pino({ level: flags.logLevel, base: { svc: 'swarmlab-serve' } }, pino.destination(2));
  const file = await readConfig(flags.config);
  const defaults: Partial<ServingConfig> = { ...file.defaults };
  const maxBatchSize = number(flags.maxBatchSize, '--max-batch-size');
  const maxDelayMs = number(flags.maxDelayMs, '--max-delay-ms');
  if (maxBatchSize !== undefined) defaults.maxBatchSize = maxBatchSize;
  if (maxDelayMs !== undefined) defaults.maxDelayMs = maxDelayMs;
  if (!flags.batching) defaults.batching = false;
  const serving = new ModelServer({
    source: new HttpModelSource(client, {
      onReconnect: (d) => logger.warn(d, 'event stream dropped; resuming from the last cursor'),
    }),
    logger,
    models,
    eager: !flags.lazy,
    defaults,
    configs: file.models ?? {},
  });
  let app: FastifyInstance | undefined;
  try {
    await serving.start();
    const registry = createRegistry();
    const configure = (model: string, patch: Partial<ServingConfig>) => serving.configure(model, patch);
    const link = isClusterWorker() ? new WorkerLink(registry, configure) : undefined;
    app = await buildServingServer({
      serving,
      logger,
      token: client.token,
      requireToken: flags.requireToken === true,
      exposed: !isLoopback(flags.host),
      registry,
      ...(link && {
        metrics: () => link.metrics(),
        configure: async (model, patch) => {
          const config = await configure(model, patch);
          await link.configure(model, patch);
          return config;
        },
      }),
    });
    const port = number(flags.port, '--port') ?? 8501;
    await listen(app, flags.host, port);
    const address = app.server.address();
    const bound = typeof address === 'object' && address ? address.port : port;
    // Workers load the same generations: the first one speaks for all.
    if (!link || WorkerLink.first()) {
      for (const s of await serving.list()) {
        const failed = s.generations.filter((g) => g.state === 'failed');
        for (const g of failed)
          process.stderr.write(`swarmlab: ${s.model} generation ${g.generation}: ${g.error}\n`);
      }
    }
    if (link) link.listening(bound);
    else announce(bound);
    // A worker may get both the terminal's SIGINT and the primary's SIGTERM: the second is absorbed.
    await new Promise((resolveStop) => {
      process.once('SIGINT', resolveStop);
      process.once('SIGTERM', resolveStop);
    });
  } finally {
    // Also when start-up fails (no manager, port in use): open connections would keep the process alive.
    await app?.close();
    await serving.close();
  }
}
