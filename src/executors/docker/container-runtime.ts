/** Container mode: each session is one container on this engine, followed through its log and `wait`. */
import type Docker from 'dockerode';
import { UnavailableError } from '../../errors/index.js';
import type { ExecSpec, ExitInfo } from '../types.js';
import { containerOptions } from './container.js';
import { type Engine, isNotFound } from './engine.js';
import { containerExit } from './exit.js';
import { ensureImage } from './image.js';
import { logStream } from './logs.js';
import { type DockerIds, type DockerSession, type Liveness, type Runtime, stopContainer } from './runtime.js';
import { SESSION_LABEL } from './session.js';

/** Containers of swarm tasks carry our labels too; they belong to their service. */
const SWARM_TASK_LABEL = 'com.docker.swarm.service.id';

export class ContainerRuntime implements Runtime {
  readonly #engine: Engine;
  readonly #network: string;

  constructor(engine: Engine, network: string) {
    this.#engine = engine;
    this.#network = network;
  }

  async create(spec: ExecSpec): Promise<DockerIds> {
    const { docker, host } = this.#engine;
    await ensureImage(docker, spec.image!, host);
    const fail = (what: string, cause: unknown) =>
      new UnavailableError(`session ${spec.sessionId}: ${what} on ${host}: ${(cause as Error).message}`, {
        details: { sessionId: spec.sessionId, image: spec.image, host },
        cause,
      });
    let container: Docker.Container;
    try {
      container = await docker.createContainer(containerOptions(spec, this.#network));
    } catch (cause) {
      throw fail('could not create its container', cause);
    }
    try {
      await container.start();
    } catch (cause) {
      await container.remove({ force: true }).catch(() => undefined);
      throw fail('its container did not start', cause);
    }
    return { container: container.id };
  }

  async find(sessionId: string): Promise<DockerIds | undefined> {
    const list = await this.#engine.docker.listContainers({
      all: true,
      filters: { label: [`${SESSION_LABEL}=${sessionId}`] },
    });
    const own = list.find((c) => !c.Labels[SWARM_TASK_LABEL]);
    return own && { container: own.Id };
  }

  async liveness(s: DockerSession): Promise<Liveness> {
    const id = s.handle.container!;
    let info: Docker.ContainerInspectInfo;
    try {
      info = await this.#container(id).inspect();
    } catch (err) {
      if (isNotFound(err)) return { lost: `its container ${id} no longer exists` };
      throw err;
    }
    if (info.Config.Labels?.[SESSION_LABEL] !== s.spec.sessionId) {
      return { lost: `container ${id} is not this session's` };
    }
    if (info.State.Status === 'created') {
      await this.remove(s);
      return { lost: 'its container was created but never started' };
    }
    return info.State.Running ? 'running' : 'ended';
  }

  async follow(s: DockerSession): Promise<ExitInfo> {
    const { docker } = this.#engine;
    const id = s.handle.container!;
    // A followed log ends when the container does, but may end before the log driver wrote the last lines of a
    // container that exited at once: after the exit the log is read once more and the files get what they lack.
    await s.sink.copy(await logStream(docker, 'containers', id, true, s.abort));
    const c = this.#container(id);
    await c.wait({ abortSignal: s.abort });
    await s.sink.copy(await logStream(docker, 'containers', id, false, s.abort));
    const info = await c.inspect({ abortSignal: s.abort });
    return containerExit(info.State, { memoryMb: s.spec.resources.memoryMb, killed: s.killed });
  }

  stop(s: DockerSession, graceMs: number): Promise<void> {
    return stopContainer(this.#engine.docker, s.handle.container!, graceMs);
  }

  async remove(s: DockerSession): Promise<void> {
    await this.#container(s.handle.container!)
      .remove({ force: true })
      .catch((err) => {
        if (!isNotFound(err)) throw err;
      });
  }

  #container(id: string): Docker.Container {
    return this.#engine.docker.getContainer(id);
  }
}
