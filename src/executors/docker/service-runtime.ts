/**
 * Swarm mode: each session is a one-task service. The task's state and exit code are polled, its output
 * followed through the service log. `create` returns once the task runs (or ended); a task still waiting for its
 * node or image after a bound counts as running meanwhile.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import type Docker from 'dockerode';
import { UnavailableError } from '../../errors/index.js';
import type { ExecSpec, ExitInfo } from '../types.js';
import { type Engine, isNotFound } from './engine.js';
import { type SwarmTask, taskEnded, taskExit } from './exit.js';
import { logStream } from './logs.js';
import { gpuKindOf, type NodeInfo } from './nodes.js';
import { type DockerIds, type DockerSession, type Liveness, type Runtime, stopContainer } from './runtime.js';
import { serviceSpec } from './service.js';
import { SESSION_LABEL, swarmHostname } from './session.js';

/** How long `create` waits for the task to start, and how often it looks. */
const STARTING_MS = 30_000;
const STARTING_POLL_MS = 20;

/** The service's newest task; `gone` when the service itself no longer exists. */
type TaskState = { task: SwarmTask | undefined; gone: boolean };

/** The fields of `GET /services/{id}` used here. */
interface ServiceInfo {
  Spec: { Labels?: Record<string, string> };
  Version: { Index: number };
}

export class ServiceRuntime implements Runtime {
  readonly #engine: Engine;
  readonly #network: string;
  readonly #pollMs: number;

  constructor(engine: Engine, network: string, pollMs: number) {
    this.#engine = engine;
    this.#network = network;
    this.#pollMs = pollMs;
  }

  async create(spec: ExecSpec): Promise<DockerIds> {
    const { docker, host } = this.#engine;
    let id: string;
    try {
      const gpuKind =
        spec.resources.gpus.length > 0 ? gpuKindOf(await this.#node(swarmHostname(spec.node))) : 'gpu';
      const service = await docker.createService(serviceSpec(spec, { network: this.#network, gpuKind }));
      id = service.id;
    } catch (cause) {
      throw new UnavailableError(
        `session ${spec.sessionId}: could not create its swarm service on ${host}: ${(cause as Error).message}`,
        { details: { sessionId: spec.sessionId, image: spec.image, host }, cause },
      );
    }
    await this.#untilStarted(id);
    return { service: id };
  }

  /**
   * Waits (up to `STARTING_MS`) until the task runs or already ended, so `running` means the container runs;
   * a task still pending after that (its node busy, an image still pulling) is followed as running.
   */
  async #untilStarted(id: string): Promise<void> {
    const deadline = Date.now() + STARTING_MS;
    while (Date.now() < deadline) {
      const { task, gone } = await this.#state(id);
      if (gone || (task && (task.Status.State === 'running' || taskEnded(task)))) return;
      await sleep(STARTING_POLL_MS);
    }
  }

  async #node(hostname: string): Promise<NodeInfo | undefined> {
    const nodes = (await this.#engine.docker.listNodes()) as NodeInfo[];
    return nodes.find((n) => n.Description?.Hostname === hostname);
  }

  async find(sessionId: string): Promise<DockerIds | undefined> {
    const list = await this.#engine.docker.listServices({
      filters: { label: [`${SESSION_LABEL}=${sessionId}`] },
    });
    return list[0]?.ID ? { service: list[0].ID } : undefined;
  }

  async liveness(s: DockerSession): Promise<Liveness> {
    const id = s.handle.service!;
    let info: ServiceInfo;
    try {
      info = await this.#service(id).inspect();
    } catch (err) {
      if (isNotFound(err)) return { lost: `its swarm service ${id} no longer exists` };
      throw err;
    }
    if (info.Spec.Labels?.[SESSION_LABEL] !== s.spec.sessionId) {
      return { lost: `swarm service ${id} is not this session's` };
    }
    const { task } = await this.#state(id);
    return task && taskEnded(task) ? 'ended' : 'running';
  }

  async #state(id: string): Promise<TaskState> {
    const tasks = (await this.#engine.docker.listTasks({ filters: { service: [id] } })) as SwarmTask[];
    const task = tasks.sort((a, b) => (a.CreatedAt ?? '').localeCompare(b.CreatedAt ?? '')).at(-1);
    if (task) return { task, gone: false };
    try {
      await this.#service(id).inspect();
      return { task, gone: false };
    } catch (err) {
      if (isNotFound(err)) return { task, gone: true };
      throw err;
    }
  }

  /** A task on this engine can be inspected and signalled directly. */
  #noteContainer(s: DockerSession, task: SwarmTask | undefined): void {
    const id = task?.Status.ContainerStatus?.ContainerID;
    if (id && task.NodeID === this.#engine.nodeId) s.container = id;
  }

  /** The task's status may not name its container yet (agents report in batches); the engine's labels do. */
  async #findContainer(s: DockerSession, task: SwarmTask | undefined): Promise<void> {
    this.#noteContainer(s, task);
    if (s.container || !task || task.NodeID !== this.#engine.nodeId) return;
    const filters = { label: [`com.docker.swarm.task.id=${task.ID}`] };
    const [container] = await this.#engine.docker.listContainers({ filters });
    if (container) s.container = container.Id;
  }

  async follow(s: DockerSession): Promise<ExitInfo> {
    const { docker } = this.#engine;
    const id = s.handle.service!;
    // A followed service log does not end with the task and may hold back its last line: it is only the live
    // view; once the task ended the whole log is read again and the files get what they lack.
    const live = new AbortController();
    const following = logStream(docker, 'services', id, true, AbortSignal.any([s.abort, live.signal]))
      .then((log) => s.sink.copy(log))
      .catch(() => undefined);
    let state: TaskState;
    try {
      for (;;) {
        state = await this.#state(id);
        this.#noteContainer(s, state.task);
        // Scaled to zero before it ran (a stop), the task is deleted rather than ended.
        if (state.gone || (state.task ? taskEnded(state.task) : s.killed)) break;
        await sleep(this.#pollMs, undefined, { signal: s.abort });
      }
    } finally {
      live.abort();
      await following;
    }
    const { task, gone } = state;
    if (gone || !task) {
      if (s.killed) return { exitCode: null, signal: s.killed };
      return { exitCode: null, signal: null, lost: true, reason: `its swarm service ${id} was removed` };
    }
    await s.sink.copy(await logStream(docker, 'services', id, false, s.abort));
    let oomKilled: boolean | undefined;
    if (s.container) {
      const info = await docker
        .getContainer(s.container)
        .inspect({ abortSignal: s.abort })
        .catch(() => undefined); // best effort: without it, taskExit infers
      oomKilled = info?.State.OOMKilled;
    }
    return taskExit(task, { memoryMb: s.spec.resources.memoryMb, killed: s.killed, oomKilled });
  }

  /**
   * A task on this engine is stopped like a container, honouring `graceMs`. Elsewhere (or not yet started) the
   * service is scaled to zero and the task's node stops it after the service's stop grace period (Docker's
   * default, 10 s): swarm offers no per-request grace.
   */
  async stop(s: DockerSession, graceMs: number): Promise<void> {
    await this.#findContainer(s, (await this.#state(s.handle.service!)).task);
    if (s.container) return stopContainer(this.#engine.docker, s.container, graceMs);
    const service = this.#service(s.handle.service!);
    try {
      const info: ServiceInfo = await service.inspect();
      const spec = { ...info.Spec, Mode: { Replicated: { Replicas: 0 } } };
      await service.update({ _query: { version: info.Version.Index }, _body: spec });
    } catch (err) {
      if (!isNotFound(err)) throw err;
    }
  }

  async remove(s: DockerSession): Promise<void> {
    await this.#service(s.handle.service!)
      .remove()
      .catch((err) => {
        if (!isNotFound(err)) throw err;
      });
  }

  #service(id: string): Docker.Service {
    return this.#engine.docker.getService(id);
  }
}
