/** The exit of a process the kernel's OOM killer ended for going over its memory limit, told alike by every executor. */
import type { ExitInfo } from './types.js';

/** `inferred`: no OOM record was found, an unexplained SIGKILL (exit 137) was taken for it. */
export const oomExit = (info: ExitInfo, memoryMb: number, inferred = false): ExitInfo => ({
  ...info,
  oomKilled: true,
  reason: `killed by the OOM killer (memory limit ${memoryMb} MB)${inferred ? ', inferred from exit 137' : ''}`,
});
