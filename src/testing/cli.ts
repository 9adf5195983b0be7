/** Runs the `swarmlab` CLI from source as a child process against a test manager, for CLI tests. */
import { spawn } from 'node:child_process';
import type { Manager } from '../app.js';

const MAIN = new URL('../cli/main.ts', import.meta.url).href;

/** `swarmlab ARGS…` from source; resolves with its exit code and output (`child` to signal it). */
export function swarmlab(manager: Manager, args: string[]) {
  const code = `const { main } = await import(${JSON.stringify(MAIN)}); await main(['node', 'swarmlab', ...process.argv.slice(1)]);`;
  const child = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', code, ...args], {
    env: { ...process.env, SWARMLAB_URL: manager.url, SWARMLAB_TOKEN: manager.token },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d) => {
    stdout += d;
  });
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  const exited = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) =>
    child.once('exit', (c) => resolve({ code: c, stdout, stderr })),
  );
  return Object.assign(exited, { child, stderr: () => stderr });
}
