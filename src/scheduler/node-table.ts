/** The declared nodes by name, and the sets a demand may be placed on: by engine, and by engine and pool. */
import { ConflictError } from '../errors/index.js';
import { parseNodeSpec } from './config.js';
import { NodeState } from './node-state.js';
import type { NodeEngine, NodeSpec } from './types.js';
import { labelPairs } from './units.js';

const sameLabels = (a: NodeSpec, b: NodeSpec): boolean =>
  a.pool === b.pool && JSON.stringify(labelPairs(a.labels)) === JSON.stringify(labelPairs(b.labels));

const poolKey = (engine: NodeEngine, pool: string): string => `${engine}\u0000${pool}`;

export class NodeTable {
  readonly #byName = new Map<string, NodeState>();
  #all: NodeState[] = [];
  #byEngine = new Map<NodeEngine, NodeState[]>();
  #byPool = new Map<string, NodeState[]>();

  get(name: string): NodeState | undefined {
    return this.#byName.get(name);
  }

  /** Every node, in the order declared (ties in best fit go to the first). */
  all(): readonly NodeState[] {
    return this.#all;
  }

  /** The nodes of `engine`, only those of `pool` when given. */
  of(engine: NodeEngine, pool?: string): readonly NodeState[] {
    return (pool === undefined ? this.#byEngine.get(engine) : this.#byPool.get(poolKey(engine, pool))) ?? [];
  }

  add(spec: NodeSpec): void {
    const valid = parseNodeSpec(spec, `node ${spec?.name ?? '?'}`);
    if (this.#byName.has(valid.name)) {
      throw new ConflictError(`node ${valid.name} is already declared`, { details: { node: valid.name } });
    }
    this.#byName.set(valid.name, new NodeState(valid));
    this.#reindex();
  }

  delete(name: string): void {
    if (this.#byName.delete(name)) this.#reindex();
  }

  /**
   * Makes the nodes of `engine` match `specs` (a swarm's current node list): new ones are added, known ones take
   * the new pool and labels, vanished ones are forgotten once nothing is held or reserved on them. Returns whether
   * anything changed.
   */
  sync(engine: NodeEngine, specs: readonly NodeSpec[]): boolean {
    let changed = false;
    const seen = new Set<string>();
    for (const spec of specs) {
      const valid = parseNodeSpec({ ...spec, engine }, `node ${spec.name}`);
      seen.add(valid.name);
      const known = this.#byName.get(valid.name);
      if (!known) {
        this.#byName.set(valid.name, new NodeState(valid));
        changed = true;
      } else if (known.engine === engine && !sameLabels(known.spec, valid)) {
        known.relabel(valid.pool, valid.labels);
        changed = true;
      }
    }
    for (const n of [...this.#byName.values()]) {
      if (n.engine === engine && !seen.has(n.name) && n.size === 0 && n.reservedFor === undefined) {
        this.#byName.delete(n.name);
        changed = true;
      }
    }
    if (changed) this.#reindex();
    return changed;
  }

  #reindex(): void {
    this.#all = [...this.#byName.values()];
    this.#byEngine = new Map();
    this.#byPool = new Map();
    const push = <K>(m: Map<K, NodeState[]>, k: K, n: NodeState) => {
      const list = m.get(k);
      if (list) list.push(n);
      else m.set(k, [n]);
    };
    for (const n of this.#all) {
      push(this.#byEngine, n.engine, n);
      push(this.#byPool, poolKey(n.engine, n.pool), n);
    }
  }
}
