/** A node's use from its sessions' samples: cores and resident memory summed; GPUs from the device where it is read. */
import type { GpuReport, NodeUse } from '../api/index.js';
import type { SessionUse } from './readings.js';

/**
 * `gpus`: the node's devices as `nvidia-smi` reads them (their whole use, whoever uses them); without them, the
 * sum of what its sessions' samples say.
 */
export function nodeUse(
  sessions: readonly SessionUse[],
  gpus: readonly GpuReport[] | undefined,
  sampledAt: number,
): NodeUse {
  const use: NodeUse = { cpus: 0, memoryMb: 0, gpus: 0, gpuMemoryMb: 0, sampledAt };
  for (const s of sessions) {
    use.cpus += s.cpus;
    use.memoryMb += s.memoryMb;
    use.gpus += s.gpus;
    use.gpuMemoryMb += s.gpuMemoryMb;
  }
  if (gpus) {
    use.gpus = gpus.reduce((sum, g) => sum + g.utilizationPercent / 100, 0);
    use.gpuMemoryMb = gpus.reduce((sum, g) => sum + g.memoryUsedMb, 0);
  }
  // Sums of floats (0.4 + 0.8 = 1.2000000000000002) shown as what they measure: three decimals are plenty.
  for (const k of ['cpus', 'memoryMb', 'gpus', 'gpuMemoryMb'] as const)
    use[k] = Math.round(use[k] * 1000) / 1000;
  return use;
}
