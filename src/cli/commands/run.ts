/**
 * `swarmlab run [options] -- CMD ARGS...`: submits a session. With `--follow` it prints the session's output as
 * it comes, a progress line with the last epoch and metrics, and exits with the session's exit code.
 */
import type { Command } from 'commander';
import type { RulesDoc, SessionRecord, SessionSpec, SwarmEvent } from '../../api/index.js';
import { InvalidError } from '../../errors/index.js';
import { EventsClient } from '../../sdk/events-client.js';
import { SessionsClient } from '../../sdk/sessions.js';
import { parseDurationMs } from '../../util/duration.js';
import { collect, pairs, paramValue, readJson } from '../flags.js';
import { formatNumber } from '../format.js';

const typedParams = (raw: Record<string, string> | undefined) =>
  raw && Object.fromEntries(Object.entries(raw).map(([k, v]) => [k, paramValue(v)]));

interface RunFlags {
  name?: string;
  dataset?: string;
  cpus?: string;
  memory?: string;
  gpus?: string;
  gpuFraction?: string;
  priority?: string;
  pool?: string;
  label: string[];
  env: string[];
  maxRuntime?: string;
  cwd?: string;
  shell?: boolean;
  follow?: boolean;
  rules?: string;
  image?: string;
  keep?: boolean;
  param?: string[];
  tag?: string[];
  project?: string;
  replicas?: string;
  model?: string[];
}

function number(flag: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n)) {
    throw new InvalidError(`${flag}: "${value}" is not a number`, { details: { field: flag } });
  }
  return n;
}

/** The submit body from flags; undefined fields are left to the manager's defaults. */
export function submitBody(argv: string[], flags: RunFlags): Record<string, unknown> {
  const resources = Object.fromEntries(
    Object.entries({
      cpus: number('--cpus', flags.cpus),
      memoryMb: number('--memory', flags.memory),
      gpus: number('--gpus', flags.gpus),
      gpuMemoryFraction: number('--gpu-fraction', flags.gpuFraction),
    }).filter(([, v]) => v !== undefined),
  );
  let maxRuntimeMs: number | undefined;
  if (flags.maxRuntime !== undefined) {
    maxRuntimeMs = parseDurationMs(flags.maxRuntime);
    if (!maxRuntimeMs) {
      throw new InvalidError(
        `--max-runtime: "${flags.maxRuntime}" is not a duration: give its units, e.g. 2h, 30m, 1h30m`,
        {
          details: { field: '--max-runtime' },
        },
      );
    }
  }
  const body: Record<string, unknown> = {
    command: argv,
    cwd: flags.cwd ?? process.cwd(),
    name: flags.name,
    dataset: flags.dataset,
    priority: number('--priority', flags.priority),
    pool: flags.pool,
    labels: pairs('--label', flags.label),
    env: pairs('--env', flags.env),
    shell: flags.shell,
    maxRuntimeMs,
    image: flags.image,
    keep: flags.keep,
    params: typedParams(pairs('--param', flags.param)),
    tags: flags.tag?.length ? flags.tag : undefined,
    project: flags.project,
    replicas: number('--replicas', flags.replicas),
    models: flags.model?.length ? flags.model : undefined,
  };
  if (Object.keys(resources).length > 0) body.resources = resources;
  return Object.fromEntries(Object.entries(body).filter(([, v]) => v !== undefined));
}

/** Reads and checks a rules file; InvalidError (one line) names the file and the bad field's path. */
export async function readRules(file: string): Promise<RulesDoc> {
  const doc = await readJson('--rules', file);
  // The validator (zod) loads only when a rules file is given.
  const { parseRules } = await import('../../api/rules.js');
  try {
    return parseRules(doc);
  } catch (cause) {
    if (!(cause instanceof InvalidError)) throw cause;
    throw new InvalidError(`--rules ${file}: ${cause.message}`, { details: cause.details, cause });
  }
}

/** What the shell should see: the exit code, 128+N for a signal, 1 when the session never ran to an exit. */
export function exitStatus(s: SessionRecord): number {
  if (s.exitCode !== null) return s.exitCode;
  if (s.signal) {
    const n = (
      { SIGHUP: 1, SIGINT: 2, SIGQUIT: 3, SIGABRT: 6, SIGKILL: 9, SIGSEGV: 11, SIGTERM: 15 } as Record<
        string,
        number
      >
    )[s.signal];
    return 128 + (n ?? 0);
  }
  return 1;
}

/** What `--follow` prints of a session's events: output lines, a progress line with the last epoch, placement. */
function printer(): (e: SwarmEvent) => void {
  const progress = process.stderr.isTTY;
  let status = '';
  const clear = () => {
    if (status && progress) process.stderr.write('\r\x1b[K');
  };
  return (e) => {
    if (e.type === 'session.log') {
      clear();
      // A gang's lines say which rank wrote them.
      const tag = e.data.rank === undefined ? '' : `[rank ${e.data.rank}] `;
      for (const line of e.data.lines)
        (e.data.stream === 'stderr' ? process.stderr : process.stdout).write(`${tag}${line}\n`);
      if (status && progress) process.stderr.write(status);
    } else if (e.type === 'session.epoch') {
      const metrics = Object.entries(e.data.metrics)
        .map(([k, v]) => `${k}=${formatNumber(v)}`)
        .join(' ');
      status = `[epoch ${e.data.epoch}${e.data.total ? `/${e.data.total}` : ''}] ${metrics}`;
      if (progress) {
        clear();
        process.stderr.write(status);
      }
    } else if (e.type === 'session.exited') {
      clear();
      if (status && !progress) process.stderr.write(`${status}\n`);
    } else if (e.type === 'rule.fired') {
      clear();
      process.stderr.write(`rule ${e.data.rule} (${e.data.kind}) fired: ${e.data.action}\n`);
    } else if (e.type === 'session.placed') {
      clear();
      const where = e.data.ranks
        ? `${[...new Set(e.data.ranks)].join(', ')} (${e.data.ranks.length} ranks)`
        : `${e.data.node}${e.data.gpus.length ? ` (GPUs ${e.data.gpus.join(',')})` : ''}`;
      process.stderr.write(`placed on ${where}\n`);
    }
  };
}

/** The attempt the manager submitted for a preempted session (undefined for any other end, or after a minute). */
async function nextAttempt(sessions: SessionsClient, s: SessionRecord): Promise<SessionRecord | undefined> {
  if (s.preemptedBy === undefined) return undefined;
  for (const deadline = Date.now() + 60_000; Date.now() < deadline; ) {
    const now = await sessions.get(s.id);
    if (now.retriedBy !== undefined) return sessions.get(now.retriedBy);
    await new Promise((r) => setTimeout(r, 100));
  }
  return undefined;
}

export function registerRun(program: Command): void {
  program
    .command('run')
    .description('submit a training session: swarmlab run [options] -- CMD ARGS...')
    .argument('<command...>', 'the program and its arguments (after --)')
    .option('--name <name>', 'session name (default: the program name)')
    .option('--dataset <ref>', 'dataset name[@version]; resolved to a fixed version at submit')
    .option('--cpus <n>', 'CPU cores (default 1)')
    .option('--memory <mb>', 'memory in MB (default 512)')
    .option('--gpus <n>', 'whole GPUs (default 0)')
    .option('--gpu-fraction <f>', 'share of each GPU’s memory, 0–1 (below 1 GPUs may be shared)')
    .option('--priority <p>', 'integer, higher runs first (default 0)')
    .option('--pool <pool>', 'node pool (default training)')
    .option('--label <k=v>', 'required node label (repeatable)', collect, [])
    .option('--env <K=V>', 'environment variable for the session (repeatable)', collect, [])
    .option('--max-runtime <duration>', 'stop and fail the session after this long, e.g. 2h')
    .option('--cwd <dir>', 'working directory (default: the current one)')
    .option('--shell', 'run the command through sh -c')
    .option('-f, --follow', "stream the session's output and exit with its exit code")
    .option('--rules <file>', 'JSON rules evaluated on the live events (stopIf, accept, onExit)')
    .option('--image <ref>', 'run in a container of this image (manager started with --executor docker)')
    .option('--keep', 'keep the container after the session ended')
    .option(
      '--param <k=v>',
      'a param (repeatable); numbers and true/false are typed, the rest are strings',
      collect,
      [],
    )
    .option('--tag <tag>', 'a tag (repeatable)', collect, [])
    .option('--project <name>', 'the project the session belongs to')
    .option('--replicas <n>', 'ranks of a distributed job, all started at once or none (default 1)')
    .option('--model <name>', "a model the session's token may save generations of (repeatable)", collect, [])
    .action(async (argv: string[], flags: RunFlags) => {
      const sessions = new SessionsClient();
      const body = submitBody(argv, flags);
      if (flags.rules !== undefined) body.rules = await readRules(flags.rules);
      // The cursor before the submit: following from it misses none of the session's events.
      const after = flags.follow ? await new EventsClient(sessions.client).cursor() : 0;
      const s = await sessions.submit(body as unknown as SessionSpec);
      if (!flags.follow) {
        process.stdout.write(`${s.id}\n`);
        return;
      }
      process.stderr.write(`session ${s.id} ${s.state}\n`);
      let current = s.id;
      // Ctrl-C leaves the session running: say so, and how to get back to it or stop it.
      process.once('SIGINT', () => {
        process.stderr.write(
          `\ndetached: session ${current} keeps running — \`swarmlab logs -f ${current}\` follows it again, ` +
            `\`swarmlab stop ${current}\` stops it\n`,
        );
        process.exit(130);
      });
      const print = printer();
      let done = await sessions.follow(s.id, { after, onEvent: print });
      // A preempted session goes on as its next attempt, resubmitted by the manager: follow that one.
      for (let next = await nextAttempt(sessions, done); next; next = await nextAttempt(sessions, done)) {
        process.stderr.write(
          `session ${done.id} ${done.reason}\nfollowing its next attempt ${next.id} (attempt ${next.attempt})\n`,
        );
        current = next.id;
        done = await sessions.follow(next.id, { after, onEvent: print });
      }
      process.stderr.write(`session ${done.id} ${done.state}${done.reason ? `: ${done.reason}` : ''}\n`);
      process.exitCode = exitStatus(done);
    });
}
