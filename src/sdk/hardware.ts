/** Hardware report of the current process: CPU and RAM from Node, GPUs from `nvidia-smi` when it is installed. */
import { execFile } from 'node:child_process';
import { cpus, freemem, hostname, loadavg, totalmem } from 'node:os';
import type { GpuReport, HardwareReport } from '../api/index.js';

const MB = 1024 * 1024;
const round = (x: number, digits = 1): number => Math.round(x * 10 ** digits) / 10 ** digits;

/** GPUs as `nvidia-smi` sees them; empty when it is absent or fails (no GPU, no driver). */
export function queryGpus(timeoutMs = 3000): Promise<GpuReport[]> {
  const args = [
    '--query-gpu=index,name,utilization.gpu,memory.used,memory.total',
    '--format=csv,noheader,nounits',
  ];
  return new Promise((resolve) => {
    execFile('nvidia-smi', args, { timeout: timeoutMs }, (err, stdout) => {
      if (err) return resolve([]);
      resolve(parseNvidiaSmi(stdout));
    });
  });
}

export function parseNvidiaSmi(csv: string): GpuReport[] {
  return csv
    .split('\n')
    .map((line) => line.split(',').map((s) => s.trim()))
    .filter((cols) => cols.length >= 5 && cols[0] !== '')
    .map(([index, name, util, used, total]) => ({
      index: Number(index),
      name: name!,
      utilizationPercent: Number(util) || 0,
      memoryUsedMb: Number(used) || 0,
      memoryTotalMb: Number(total) || 0,
    }));
}

/** Measures CPU use between successive calls (the first call measures since the process started). */
export class HardwareProbe {
  #lastCpu: NodeJS.CpuUsage = { user: 0, system: 0 };
  #lastTime = performance.now() - process.uptime() * 1000;

  async report(): Promise<HardwareReport> {
    const gpus = await queryGpus();
    const now = performance.now();
    const cpu = process.cpuUsage();
    const usedUs = cpu.user - this.#lastCpu.user + (cpu.system - this.#lastCpu.system);
    const cpuPercent = now > this.#lastTime ? (usedUs / 1000 / (now - this.#lastTime)) * 100 : 0;
    this.#lastCpu = cpu;
    this.#lastTime = now;
    const mem = process.memoryUsage();
    return {
      host: hostname(),
      pid: process.pid,
      cpuPercent: round(cpuPercent),
      cpus: cpus().length,
      loadAverage: loadavg().map((x) => round(x, 2)),
      rssMb: round(mem.rss / MB),
      heapUsedMb: round(mem.heapUsed / MB),
      memoryTotalMb: Math.round(totalmem() / MB),
      memoryFreeMb: Math.round(freemem() / MB),
      gpus,
    };
  }
}
