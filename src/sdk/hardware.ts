/** Hardware report of the current process: CPU and RAM from Node, GPUs from `nvidia-smi` when it is installed. */
import { cpus, freemem, hostname, loadavg, totalmem } from 'node:os';
import type { HardwareReport } from '../api/index.js';
import { queryGpus } from '../util/nvidia-smi.js';

const MB = 1024 * 1024;
const round = (x: number, digits = 1): number => Math.round(x * 10 ** digits) / 10 ** digits;

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
