/** GPU utilisation and memory as `nvidia-smi` reports them: one query, its CSV parsed; shared by the SDK and manager. */
import { execFile } from 'node:child_process';
import type { GpuReport } from '../api/index.js';

export const GPU_QUERY_ARGS = [
  '--query-gpu=index,name,utilization.gpu,memory.used,memory.total',
  '--format=csv,noheader,nounits',
];

/**
 * Parses the output of `nvidia-smi` with `GPU_QUERY_ARGS`, e.g. `0, NVIDIA A100-SXM4-40GB, 87, 30211, 40960`.
 * The index comes first and the three numbers last, so a comma inside a GPU name does no harm; a value the driver
 * does not give (`[N/A]`) reads as 0.
 */
export function parseNvidiaSmi(csv: string): GpuReport[] {
  const out: GpuReport[] = [];
  for (const line of csv.split(/\r?\n/)) {
    const cols = line.split(',').map((s) => s.trim());
    if (cols.length < 5 || cols[0] === '') continue;
    const [util, used, total] = cols.slice(-3).map((c) => Number(c) || 0);
    out.push({
      index: Number(cols[0]),
      name: cols.slice(1, -3).join(', '),
      utilizationPercent: util!,
      memoryUsedMb: used!,
      memoryTotalMb: total!,
    });
  }
  return out;
}

/** GPUs as `nvidia-smi` sees them; empty when it is absent or fails (no GPU, no driver). */
export function queryGpus(timeoutMs = 3000, bin = 'nvidia-smi'): Promise<GpuReport[]> {
  return new Promise((resolve) => {
    execFile(bin, GPU_QUERY_ARGS, { timeout: timeoutMs }, (err, stdout) => {
      if (err) return resolve([]);
      resolve(parseNvidiaSmi(stdout));
    });
  });
}
