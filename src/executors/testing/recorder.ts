/** A recording `ExecHooks` for executor tests: every output line as `stream:line`, the offsets, the exit. */
import { setTimeout as sleep } from 'node:timers/promises';
import type { ExecHooks, ExitInfo, OutputBatch } from '../types.js';

export function hooksRecorder() {
  const lines: string[] = [];
  const offsets: OutputBatch['offsets'][] = [];
  let exits = 0;
  let resolveExit!: (i: ExitInfo) => void;
  const exited = new Promise<ExitInfo>((r) => {
    resolveExit = r;
  });
  const hooks: ExecHooks = {
    async output(b) {
      lines.push(...b.lines.map((l) => `${b.stream}:${l}`));
      offsets.push(b.offsets);
    },
    async exit(info) {
      exits++;
      resolveExit(info);
    },
  };
  /** Resolves once `line` (as `stream:line`) was delivered. */
  const waitFor = async (line: string) => {
    while (!lines.includes(line)) await sleep(20);
  };
  return { lines, offsets, exited, hooks, waitFor, exits: () => exits };
}
