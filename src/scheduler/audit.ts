/** Independent over-allocation check: recomputes every node's load from placements alone. */
import type { NodeSpec, Placement } from './types.js';
import { CPU_SCALE, GPU_WHOLE, toReq } from './units.js';

/**
 * Returns one line per violation (empty when sound): unknown node or GPU, a session placed twice,
 * cpus or memory summed past capacity, a GPU whose fractions sum past 1 or that an exclusive holder shares.
 */
export function auditPlacements(nodes: readonly NodeSpec[], placements: readonly Placement[]): string[] {
  const problems: string[] = [];
  const byName = new Map(nodes.map((n) => [n.name, n]));
  const load = new Map<
    string,
    { cpu: number; mem: number; gpu: Map<number, { parts: number; holders: number; whole: boolean }> }
  >();
  const seen = new Set<string>();
  for (const p of placements) {
    if (seen.has(p.sessionId)) problems.push(`session ${p.sessionId} placed twice`);
    seen.add(p.sessionId);
    const req = toReq({
      cpus: p.cpus,
      memoryMb: p.memoryMb,
      gpus: p.gpus.length,
      gpuMemoryFraction: p.gpuMemoryFraction,
    });
    // Each rank of a gang holds the per-rank grant on its own node.
    for (const r of p.ranks ?? [{ node: p.node, gpus: p.gpus }]) {
      const spec = byName.get(r.node);
      if (!spec) {
        problems.push(`session ${p.sessionId} on unknown node ${r.node}`);
        continue;
      }
      const l = load.get(r.node) ?? { cpu: 0, mem: 0, gpu: new Map() };
      load.set(r.node, l);
      l.cpu += req.milliCpu;
      l.mem += req.mem;
      for (const d of r.gpus) {
        if (!spec.capacity.gpus.some((g) => g.index === d))
          problems.push(`session ${p.sessionId}: node ${r.node} has no GPU ${d}`);
        const g = l.gpu.get(d) ?? { parts: 0, holders: 0, whole: false };
        g.parts += req.parts;
        g.holders++;
        g.whole ||= req.parts === GPU_WHOLE;
        l.gpu.set(d, g);
      }
    }
  }
  for (const [name, l] of load) {
    const spec = byName.get(name)!;
    if (l.cpu > Math.floor(spec.capacity.cpus * CPU_SCALE))
      problems.push(`node ${name}: ${l.cpu / CPU_SCALE} cpus > ${spec.capacity.cpus}`);
    if (l.mem > Math.floor(spec.capacity.memoryMb))
      problems.push(`node ${name}: ${l.mem} MB > ${spec.capacity.memoryMb} MB`);
    for (const [d, g] of l.gpu) {
      if (g.parts > GPU_WHOLE)
        problems.push(`node ${name} GPU ${d}: fractions sum to ${g.parts / GPU_WHOLE}`);
      if (g.whole && g.holders > 1)
        problems.push(`node ${name} GPU ${d}: exclusive GPU shared by ${g.holders} sessions`);
    }
  }
  return problems;
}
