/** Runs sessions in Docker: one container each, or one swarm service each when the engine manages a swarm. */
import { mkdir } from 'node:fs/promises';
import type Docker from 'dockerode';
import { InvalidError, UnavailableError } from '../../errors/index.js';
import { readTail, SessionOutput } from '../local/index.js';
import type {
  ExecHandle,
  ExecHooks,
  ExecSpec,
  ExecStatus,
  Executor,
  ExitInfo,
  OutputOffsets,
  OutputStream,
  RankUsage,
} from '../types.js';
import { ContainerRuntime } from './container-runtime.js';
import { connectEngine, type DockerMode, type Engine } from './engine.js';
import { LogSink } from './logs.js';
import type { DockerIds, DockerSession, Liveness, Runtime } from './runtime.js';
import { ServiceRuntime } from './service-runtime.js';
import { containerUsage } from './usage.js';

export interface DockerExecutorOptions {
  /** e.g. `unix:///var/run/docker.sock` or `tcp://host:2375`; default from DOCKER_HOST or /var/run/docker.sock. */
  host?: string;
  /**
   * `container` (one container per session), `swarm` (one service per session), or `auto` (default): swarm
   * when the engine is an active swarm manager.
   */
  mode?: DockerMode | 'auto';
  /** Network for containers and services; default `host`, so SWARMLAB_URL (http://127.0.0.1:PORT) works inside. */
  network?: string;
  /** Longer lines are cut to this many bytes plus a marker (default 16 KiB). */
  maxLineBytes?: number;
  /** How often a swarm task's state is polled (default 500 ms). */
  pollMs?: number;
}

interface Tracked extends DockerSession {
  readonly runtime: Runtime;
  readonly hooks: ExecHooks;
  readonly output: SessionOutput;
  readonly stopper: AbortController;
  /** Started by an earlier manager. */
  readonly attached: boolean;
  exited: boolean;
  readonly done: Promise<void>;
  readonly resolveDone: () => void;
}

export class DockerExecutor implements Executor {
  readonly name = 'docker';
  readonly #engine: Engine;
  readonly #containers: ContainerRuntime;
  /** Only on a swarm manager. */
  readonly #services: ServiceRuntime | undefined;
  readonly #tracked = new Map<string, Tracked>();
  readonly #maxLine: number;
  #closed = false;

  private constructor(engine: Engine, options: DockerExecutorOptions) {
    const network = options.network ?? 'host';
    this.#engine = engine;
    this.#containers = new ContainerRuntime(engine, network);
    if (engine.manager) this.#services = new ServiceRuntime(engine, network, options.pollMs ?? 500);
    this.#maxLine = options.maxLineBytes ?? 16 * 1024;
  }

  /** Pings the engine and settles the mode; UnavailableError naming the host when it does not answer. */
  static async connect(options: DockerExecutorOptions = {}): Promise<DockerExecutor> {
    return new DockerExecutor(await connectEngine(options.host, options.mode ?? 'auto'), options);
  }

  get mode(): DockerMode {
    return this.#engine.mode;
  }

  get docker(): Docker {
    return this.#engine.docker;
  }

  get #runtime(): Runtime {
    return this.#engine.mode === 'swarm' ? this.#services! : this.#containers;
  }

  /** In swarm mode this resolves once the service exists; its task may still be pending (session `running`). */
  async start(spec: ExecSpec, hooks: ExecHooks, offsets?: OutputOffsets): Promise<ExecHandle> {
    if (this.#closed) throw new UnavailableError('the docker executor is closed');
    const invalid = (field: string, message: string) =>
      new InvalidError(message, { details: { field, sessionId: spec.sessionId } });
    if (spec.command.length === 0) throw invalid('command', 'command is empty');
    if (!spec.image)
      throw invalid('image', `session ${spec.sessionId} has no image; the docker executor needs one`);
    await mkdir(spec.dir, { recursive: true });
    const sink = await LogSink.open(spec.dir, true);
    const runtime = this.#runtime;
    let ids: DockerIds;
    try {
      ids = await runtime.create(spec);
    } catch (err) {
      await sink.close();
      throw err;
    }
    const handle: ExecHandle = { executor: this.name, pid: 0, startTime: 0, dir: spec.dir, ...ids };
    const t = this.#track(spec, handle, hooks, offsets ?? { stdout: 0, stderr: 0 }, sink, runtime, false);
    void this.#run(t);
    return handle;
  }

  /** Finds the session's container (container mode) or service (swarm mode) by its label. */
  async recover(spec: ExecSpec): Promise<ExecHandle | undefined> {
    const ids = await this.#runtime.find(spec.sessionId);
    return ids && { executor: this.name, pid: 0, startTime: 0, dir: spec.dir, ...ids };
  }

  async attach(
    spec: ExecSpec,
    handle: ExecHandle,
    hooks: ExecHooks,
    offsets: OutputOffsets,
  ): Promise<boolean> {
    if (this.#closed) throw new UnavailableError('the docker executor is closed');
    await mkdir(spec.dir, { recursive: true });
    const runtime = handle.service ? this.#services : handle.container ? this.#containers : undefined;
    const sink = await LogSink.open(spec.dir, false);
    const t = this.#track(spec, handle, hooks, offsets, sink, runtime ?? this.#containers, true);
    const lost = async (reason: string) => {
      await this.#finish(t, { exitCode: null, signal: null, lost: true, reason });
      return false;
    };
    if (!runtime) {
      return lost(
        handle.service
          ? `it runs as swarm service ${handle.service}, and ${this.#engine.host} is no swarm manager`
          : 'its handle names no container or service',
      );
    }
    let live: Liveness;
    try {
      live = await runtime.liveness(t);
    } catch (err) {
      return lost(`cannot look it up on ${this.#engine.host}: ${(err as Error).message}`);
    }
    if (typeof live === 'object') return lost(live.lost);
    const run = this.#run(t);
    if (live === 'running') return true;
    await run;
    return false;
  }

  #track(
    spec: ExecSpec,
    handle: ExecHandle,
    hooks: ExecHooks,
    offsets: OutputOffsets,
    sink: LogSink,
    runtime: Runtime,
    attached: boolean,
  ): Tracked {
    let resolveDone!: () => void;
    const done = new Promise<void>((r) => {
      resolveDone = r;
    });
    const stopper = new AbortController();
    const t: Tracked = {
      spec,
      handle,
      sink,
      runtime,
      hooks,
      output: new SessionOutput(spec.dir, offsets, hooks, this.#maxLine),
      stopper,
      abort: stopper.signal,
      attached,
      killed: undefined,
      container: handle.container,
      exited: false,
      done,
      resolveDone,
    };
    this.#tracked.set(spec.sessionId, t);
    return t;
  }

  /** Follows the session to its end, removes what it ran in (unless `keep`) and reports the exit. */
  async #run(t: Tracked): Promise<void> {
    let info: ExitInfo;
    try {
      info = await t.runtime.follow(t);
    } catch (err) {
      if (t.abort.aborted) return; // closed: tracking stopped, the session runs on
      const what = t.handle.service ? `swarm service ${t.handle.service}` : `container ${t.handle.container}`;
      info = {
        exitCode: null,
        signal: null,
        lost: true,
        reason: `lost track of ${what}: ${(err as Error).message}`,
      };
      return this.#finish(t, info); // it may still run: leave it in place
    }
    if (!t.spec.keep) await t.runtime.remove(t).catch(() => undefined);
    await this.#finish(t, info);
  }

  async #finish(t: Tracked, info: ExitInfo): Promise<void> {
    if (t.exited) return;
    t.exited = true;
    try {
      await t.sink.close();
      if (!this.#closed) {
        await t.output.finish();
        await t.hooks.exit(info);
      } else {
        await t.output.close();
      }
    } finally {
      if (this.#tracked.get(t.spec.sessionId) === t) this.#tracked.delete(t.spec.sessionId);
      t.resolveDone();
    }
  }

  async stop(sessionId: string, graceMs: number): Promise<void> {
    const t = this.#tracked.get(sessionId);
    if (!t || t.exited) return t?.done;
    t.killed = 'SIGTERM';
    try {
      await t.runtime.stop(t, graceMs);
    } catch (cause) {
      throw new UnavailableError(`session ${sessionId} could not be stopped: ${(cause as Error).message}`, {
        details: { sessionId, host: this.#engine.host },
        cause,
      });
    }
    await t.done;
  }

  /** Needs the session's container on this engine: false for a swarm task that is pending or elsewhere. */
  signal(sessionId: string, signal: NodeJS.Signals): boolean {
    const t = this.#tracked.get(sessionId);
    if (!t || t.exited || !t.container) return false;
    if (signal === 'SIGKILL' || signal === 'SIGTERM') t.killed = signal;
    this.docker
      .getContainer(t.container)
      .kill({ signal })
      .catch(() => undefined);
    return true;
  }

  status(sessionId: string): ExecStatus | undefined {
    const t = this.#tracked.get(sessionId);
    return t && { state: t.exited ? 'exited' : 'running', pid: 0, attached: t.attached };
  }

  async logs(sessionId: string, stream: OutputStream, maxBytes = 64 * 1024): Promise<string> {
    const t = this.#tracked.get(sessionId);
    return t ? readTail(t.handle.dir, stream, maxBytes) : '';
  }

  /** Stops following; containers and services keep running and can be re-attached. */
  /** Containers on this engine only: a swarm task on another node has no stats here. */
  async usage(): Promise<Map<string, RankUsage[]>> {
    const running = [...this.#tracked.values()].filter((t) => !t.exited && t.container !== undefined);
    const samples = await Promise.all(running.map((t) => containerUsage(this.#engine.docker, t.container!)));
    const out = new Map<string, RankUsage[]>();
    running.forEach((t, i) => {
      const u = samples[i];
      if (u) out.set(t.spec.sessionId, [u]);
    });
    return out;
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const t of this.#tracked.values()) {
      t.stopper.abort();
      await t.output.close();
      await t.sink.close();
      t.resolveDone();
    }
    this.#tracked.clear();
  }
}
