/** Sends each session to the executor for its kind: a session with an image to the container executor, the rest to local. */
import type {
  ExecHandle,
  ExecHooks,
  ExecSpec,
  ExecStatus,
  Executor,
  OutputOffsets,
  OutputStream,
  RankUsage,
} from './types.js';

export class ExecutorRouter implements Executor {
  readonly name: string;
  readonly handles: readonly string[];
  readonly #local: Executor;
  readonly #containers: Executor;
  /** Which executor tracks each session, from start/attach until its exit went through. */
  readonly #bySession = new Map<string, Executor>();

  constructor(local: Executor, containers: Executor) {
    this.#local = local;
    this.#containers = containers;
    this.name = `${local.name}+${containers.name}`;
    this.handles = [local.name, containers.name];
  }

  #for(spec: ExecSpec): Executor {
    return spec.image === undefined ? this.#local : this.#containers;
  }

  #track(spec: ExecSpec, e: Executor, hooks: ExecHooks): ExecHooks {
    this.#bySession.set(spec.sessionId, e);
    return {
      output: hooks.output,
      exit: async (info, usage) => {
        try {
          await hooks.exit(info, usage);
        } finally {
          if (this.#bySession.get(spec.sessionId) === e) this.#bySession.delete(spec.sessionId);
        }
      },
    };
  }

  start(spec: ExecSpec, hooks: ExecHooks, offsets?: OutputOffsets): Promise<ExecHandle> {
    const e = this.#for(spec);
    return e.start(spec, this.#track(spec, e, hooks), offsets).catch((err: unknown) => {
      this.#bySession.delete(spec.sessionId);
      throw err;
    });
  }

  attach(spec: ExecSpec, handle: ExecHandle, hooks: ExecHooks, offsets: OutputOffsets): Promise<boolean> {
    const e = handle.executor === this.#containers.name ? this.#containers : this.#local;
    return e.attach(spec, handle, this.#track(spec, e, hooks), offsets);
  }

  recover(spec: ExecSpec): Promise<ExecHandle | undefined> {
    return this.#for(spec).recover(spec);
  }

  async stop(sessionId: string, graceMs: number): Promise<void> {
    await this.#bySession.get(sessionId)?.stop(sessionId, graceMs);
  }

  signal(sessionId: string, signal: NodeJS.Signals): boolean {
    return this.#bySession.get(sessionId)?.signal(sessionId, signal) ?? false;
  }

  status(sessionId: string): ExecStatus | undefined {
    return this.#bySession.get(sessionId)?.status(sessionId);
  }

  async logs(sessionId: string, stream: OutputStream, maxBytes?: number): Promise<string> {
    return (await this.#bySession.get(sessionId)?.logs(sessionId, stream, maxBytes)) ?? '';
  }

  async yield(sessionId: string): Promise<boolean> {
    const e = this.#bySession.get(sessionId);
    return e?.yield ? e.yield(sessionId) : false;
  }

  /** Both executors' sessions; one that cannot say contributes none. */
  async usage(): Promise<Map<string, RankUsage[]>> {
    const [local, containers] = await Promise.all(
      [this.#local, this.#containers].map(
        (e) => e.usage?.() ?? Promise.resolve(new Map<string, RankUsage[]>()),
      ),
    );
    return new Map([...local!, ...containers!]);
  }

  async close(): Promise<void> {
    const results = await Promise.allSettled([this.#local.close(), this.#containers.close()]);
    const failed = results.find((r): r is PromiseRejectedResult => r.status === 'rejected');
    if (failed) throw failed.reason;
  }
}
