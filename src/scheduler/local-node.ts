/** Describes the machine the manager runs on: cores and memory from `os`, GPUs from `nvidia-smi` when present. */
import { execFile } from 'node:child_process';
import os from 'node:os';
import { InvalidError } from '../errors/index.js';
import type { GpuSpec, NodeSpec } from './types.js';

export const NVIDIA_SMI_ARGS = ['--query-gpu=index,name,memory.total', '--format=csv,noheader,nounits'];

/**
 * Parses `nvidia-smi --query-gpu=index,name,memory.total --format=csv,noheader,nounits` output,
 * e.g. `0, NVIDIA A100-SXM4-40GB, 40960`. Index is the first field and memory the last, so a
 * comma inside a GPU name does no harm.
 */
export function parseNvidiaSmiGpus(stdout: string): GpuSpec[] {
  const gpus: GpuSpec[] = [];
  stdout.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    const fields = line.split(',').map((f) => f.trim());
    const index = Number(fields[0]);
    const memoryMb = Number(fields[fields.length - 1]);
    const name = fields.slice(1, -1).join(', ');
    if (fields.length < 3 || !Number.isInteger(index) || index < 0 || !(memoryMb > 0) || name === '') {
      throw new InvalidError(`nvidia-smi output line ${i + 1} is not "index, name, memory.total": ${line}`, {
        details: { line: i + 1, text: line },
      });
    }
    gpus.push({ index, name, memoryMb });
  });
  return gpus;
}

export interface DetectOptions {
  name?: string;
  pool?: string;
  labels?: Record<string, string>;
  /** Binary to run; default `nvidia-smi` from PATH. */
  nvidiaSmi?: string;
  timeoutMs?: number;
  /** Told when nvidia-smi exists but fails or prints something unexpected; the node then has no GPUs. */
  onWarning?: (message: string) => void;
}

function run(file: string, args: string[], timeout: number): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(file, args, { timeout, encoding: 'utf8' }, (err, stdout) =>
      err ? reject(err) : resolve(stdout),
    );
  });
}

async function probeGpus(opts: DetectOptions): Promise<GpuSpec[]> {
  const bin = opts.nvidiaSmi ?? 'nvidia-smi';
  let stdout: string;
  try {
    stdout = await run(bin, NVIDIA_SMI_ARGS, opts.timeoutMs ?? 5000);
  } catch (err) {
    // No binary simply means no NVIDIA GPUs; anything else (driver error, timeout) deserves a word.
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT')
      opts.onWarning?.(`${bin} failed: ${(err as Error).message}`);
    return [];
  }
  try {
    return parseNvidiaSmiGpus(stdout);
  } catch (err) {
    opts.onWarning?.((err as Error).message);
    return [];
  }
}

export async function detectLocalNode(opts: DetectOptions = {}): Promise<NodeSpec> {
  return {
    name: opts.name ?? os.hostname(),
    pool: opts.pool ?? 'training',
    labels: { ...opts.labels },
    capacity: {
      cpus: os.cpus().length,
      memoryMb: Math.floor(os.totalmem() / (1024 * 1024)),
      gpus: await probeGpus(opts),
    },
  };
}
