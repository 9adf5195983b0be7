/**
 * `swarmlab serve --workers N`: N server processes on one port (node:cluster). onnxruntime-node runs each call on
 * its process's event-loop thread, so one process uses one core; workers use the rest. The primary only supervises
 * and relays: a settings change made on one worker reaches every worker before it is answered, and `/metrics` on
 * any worker sums every worker's series (prom-client's AggregatorRegistry).
 */
import cluster, { type Worker } from 'node:cluster';
import { AggregatorRegistry, type Registry } from 'prom-client';
import type { ServingConfig } from '../../serving/index.js';

type Patch = Partial<ServingConfig>;

/** Messages between a worker and the primary, all tagged so prom-client's own messages pass by. */
type Message =
  | { swarmlab: 'listening'; port: number }
  | { swarmlab: 'configure'; id: number; model: string; patch: Patch }
  | { swarmlab: 'apply'; id: number; model: string; patch: Patch }
  | { swarmlab: 'applied'; id: number; error?: string }
  | { swarmlab: 'configured'; id: number; error?: string }
  | { swarmlab: 'metrics'; id: number; text?: string; error?: string };

const isMessage = (m: unknown): m is Message => typeof m === 'object' && m !== null && 'swarmlab' in m;

export const isClusterWorker = (): boolean => cluster.isWorker;

/** Lets a worker exit: its channel to the primary would keep it alive. A no-op outside a cluster. */
export function leaveCluster(): void {
  // Through the worker object, so the disconnect counts as intended and the exit code stays the process's own
  // (a bare process.disconnect() makes Node exit the worker with 0 at once).
  if (cluster.worker?.isConnected()) cluster.worker.disconnect();
}

export interface PrimaryOptions {
  workers: number;
  /** Called once every worker listens, with the port they share. */
  onListening: (port: number) => void;
  log: (line: string) => void;
}

/**
 * Forks the workers and supervises them until SIGINT/SIGTERM: a worker that dies after start-up is replaced; one
 * that dies during start-up (a manager it cannot reach, a port in use) stops them all, with its exit code.
 */
export function runPrimary(options: PrimaryOptions): Promise<number> {
  const aggregator = new AggregatorRegistry();
  let listening = 0;
  let announced = false;
  let stopping = false;
  let exitCode = 0;
  let nextId = 0;
  /** Settings changes waiting for the other workers: id → origin, workers yet to answer, first error. */
  const relays = new Map<number, { origin: Worker; originId: number; waiting: number; error?: string }>();

  const answerRelay = (id: number) => {
    const r = relays.get(id);
    if (!r || r.waiting > 0) return;
    relays.delete(id);
    send(r.origin, { swarmlab: 'configured', id: r.originId, ...(r.error ? { error: r.error } : {}) });
  };

  const onMessage = (worker: Worker, m: unknown) => {
    if (!isMessage(m)) return;
    switch (m.swarmlab) {
      case 'listening':
        if (++listening === options.workers && !announced) {
          announced = true;
          options.onListening(m.port);
        }
        return;
      case 'configure': {
        const others = alive(worker).filter((w) => w.isConnected());
        const id = nextId++;
        relays.set(id, { origin: worker, originId: m.id, waiting: others.length });
        for (const w of others) send(w, { swarmlab: 'apply', id, model: m.model, patch: m.patch });
        answerRelay(id);
        return;
      }
      case 'applied': {
        const r = relays.get(m.id);
        if (!r) return;
        r.waiting--;
        r.error ??= m.error;
        answerRelay(m.id);
        return;
      }
      case 'metrics':
        aggregator.clusterMetrics().then(
          (text) => send(worker, { swarmlab: 'metrics', id: m.id, text }),
          (err: unknown) => send(worker, { swarmlab: 'metrics', id: m.id, error: String(err) }),
        );
        return;
      case 'apply':
      case 'configured':
        return;
      default: {
        const never: never = m;
        return never;
      }
    }
  };

  return new Promise((resolveExit) => {
    cluster.on('message', onMessage);
    cluster.on('exit', (worker, code, signal) => {
      // A relay waiting on this worker would wait forever.
      for (const [id, r] of relays) {
        if (r.origin === worker) relays.delete(id);
        else {
          r.waiting = Math.max(0, r.waiting - 1);
          answerRelay(id);
        }
      }
      if (!stopping && !announced) {
        options.log(`a worker exited during start-up (${signal ?? `code ${code}`}): stopping`);
        exitCode = code || 1;
        stop();
      }
      if (stopping) {
        if (alive(worker).length === 0) resolveExit(exitCode);
        return;
      }
      options.log(`worker ${worker.process.pid} exited (${signal ?? `code ${code}`}): starting another`);
      listening--;
      cluster.fork();
    });
    const stop = () => {
      if (stopping) return;
      stopping = true;
      for (const w of Object.values(cluster.workers ?? {})) w?.process.kill('SIGTERM');
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    for (let i = 0; i < options.workers; i++) cluster.fork();
  });
}

/** The workers still running, but for `except` (an exiting worker may still be listed). */
const alive = (except?: Worker): Worker[] =>
  Object.values(cluster.workers ?? {}).filter(
    (w): w is Worker => w !== undefined && w !== except && !w.isDead(),
  );

function send(worker: Worker, message: Message): void {
  if (worker.isConnected()) worker.send(message);
}

/** A worker's side: tell the primary it listens, relay settings, gather metrics from every worker. */
export class WorkerLink {
  #nextId = 0;
  readonly #waiting = new Map<number, { resolve: (text: string) => void; reject: (err: Error) => void }>();

  /** `apply` runs a settings change that another worker received. */
  constructor(registry: Registry, apply: (model: string, patch: Patch) => Promise<unknown>) {
    // prom-client answers the primary's requests for this worker's series from these registries.
    AggregatorRegistry.setRegistries([registry]);
    new AggregatorRegistry();
    process.on('message', (m: unknown) => {
      if (!isMessage(m)) return;
      if (m.swarmlab === 'apply') {
        apply(m.model, m.patch).then(
          () => process.send?.({ swarmlab: 'applied', id: m.id } satisfies Message),
          (err: unknown) =>
            process.send?.({ swarmlab: 'applied', id: m.id, error: String(err) } satisfies Message),
        );
        return;
      }
      if (m.swarmlab === 'configured' || m.swarmlab === 'metrics') {
        const w = this.#waiting.get(m.id);
        this.#waiting.delete(m.id);
        if (!w) return;
        if (m.error) w.reject(new Error(m.error));
        else w.resolve(m.swarmlab === 'metrics' ? (m.text ?? '') : '');
      }
    });
  }

  /** True in the first worker forked (messages all workers would print, it prints once). */
  static first(): boolean {
    return cluster.worker?.id === 1;
  }

  listening(port: number): void {
    process.send?.({ swarmlab: 'listening', port } satisfies Message);
  }

  /** Resolves once every other worker has applied the change. */
  async configure(model: string, patch: Patch): Promise<void> {
    await this.#ask((id) => ({ swarmlab: 'configure', id, model, patch }));
  }

  /** Every worker's series, summed. */
  metrics(): Promise<string> {
    return this.#ask((id) => ({ swarmlab: 'metrics', id }));
  }

  #ask(message: (id: number) => Message): Promise<string> {
    const id = this.#nextId++;
    return new Promise((resolve, reject) => {
      this.#waiting.set(id, { resolve, reject });
      process.send?.(message(id));
    });
  }
}
