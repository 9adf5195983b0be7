/** `swarmlab up`: starts the manager (API, events, scheduler, local executor) on the chosen store. */
import type { Command } from 'commander';
import { startManager } from '../../app.js';
import { defaults, optionsFromEnv, resolveConfig } from '../../config/index.js';
import { describeHolder } from '../../store/index.js';

interface UpFlags {
  dataDir?: string;
  port?: string;
  host?: string;
  store?: string;
  token?: string;
  requireToken?: boolean;
  bodyLimit?: string;
  logLevel?: string;
  nodes?: string;
  localNode?: boolean;
  longRun?: string;
  stopGrace?: string;
  usageInterval?: string;
  executor?: string;
  dockerHost?: string;
  dockerNetwork?: string;
  dockerMode?: string;
  leaseTtl?: string;
  standby?: boolean;
}

export function registerUp(program: Command): void {
  program
    .command('up')
    .description('start the manager on this machine')
    .option('--data-dir <dir>', `where the embedded store and outputs live (default ${defaults.dataDir})`)
    .option('--port <port>', `HTTP port (default ${defaults.port})`)
    .option(
      '--host <host>',
      `address to bind (default ${defaults.host}); beyond loopback writes need the token`,
    )
    .option('--store <spec>', 'lmdb (embedded, default) or redis://host:port/db')
    .option('--token <token>', 'API token (default: generated once into the data dir)')
    .option('--require-token', 'require the token on loopback too, for reads as well as writes')
    .option('--body-limit <size>', 'largest accepted upload, e.g. 4GiB (default)')
    .option('--log-level <level>', 'pino log level (default info)')
    .option('--nodes <file>', 'JSON file declaring extra nodes: {"nodes": [{name, pool, labels, capacity}]}')
    .option('--no-local-node', 'do not offer this machine as a node (only the declared ones)')
    .option(
      '--long-run <duration>',
      `demote training sessions running longer than this (default ${defaults.longRun})`,
    )
    .option(
      '--stop-grace <duration>',
      `time between SIGTERM and SIGKILL on stop (default ${defaults.stopGrace})`,
    )
    .option(
      '--usage-interval <duration>',
      `time between usage samples of running sessions, 0 = off (default ${defaults.usageInterval})`,
    )
    .option(
      '--executor <kind>',
      'local (processes, default) or docker: sessions with --image run as containers, or as services on a swarm manager',
    )
    .option('--docker-host <url>', 'Docker engine, e.g. unix:///var/run/docker.sock (default DOCKER_HOST)')
    .option('--docker-network <name>', 'network of session containers (default host)')
    .option('--docker-mode <mode>', 'auto (services on a swarm manager, default), container or swarm')
    .option(
      '--standby',
      'while another manager holds the store, wait and take over when it goes instead of refusing',
    )
    .option(
      '--lease-ttl <duration>',
      `a manager silent this long loses the store to a standby (default ${defaults.leaseTtl})`,
    )
    .action(async (flags: UpFlags, command: Command) => {
      // `--no-local-node` defaults to true in commander; only an explicit flag may override SWARMLAB_LOCAL_NODE.
      if (command.getOptionValueSource('localNode') === 'default') delete flags.localNode;
      const config = resolveConfig(optionsFromEnv(), flags);
      const manager = await startManager(config, {
        onStandby: (holder) =>
          process.stdout.write(
            `Standby: the store is held by ${describeHolder(holder)}; taking over when it goes.\n`,
          ),
      });
      process.stdout.write(
        `Swarmlab manager ready at ${manager.url} (store ${manager.store.backend}, data ${config.dataDir})\n` +
          `API token: ${config.dataDir}/token — clients on this machine find it there.\n` +
          `Dashboard: ${manager.url}/${config.requireToken ? ' (asks for the token)' : ''}\n`,
      );
      await new Promise<void>((resolveStop) => {
        let signalled = false;
        const stop = (signal: NodeJS.Signals) => {
          signalled = true;
          manager.logger.info({ signal }, 'shutting down');
          manager.close().then(resolveStop, (err) => {
            process.stderr.write(`swarmlab: ${String(err)}\n`);
            process.exitCode = 1;
            resolveStop();
          });
        };
        process.once('SIGINT', stop);
        process.once('SIGTERM', stop);
        // Closed by itself: another manager took its lease over (logged); exit rather than serve a store it lost.
        void manager.closed.then(() => {
          if (!signalled) process.exitCode = 1;
          process.off('SIGINT', stop);
          process.off('SIGTERM', stop);
          resolveStop();
        });
      });
    });
}
