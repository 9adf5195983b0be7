/** `swarmlab up` from source as a real child process, for tests and benchmarks that kill and restart it. */
import { type ChildProcess, spawn } from 'node:child_process';

const MAIN = new URL('../cli/main.ts', import.meta.url).href;

export interface ManagerProcess {
  child: ChildProcess;
  url: string;
}

/** Starts `swarmlab up ARGS…` and resolves once it prints its URL; rejects with its stderr if it exits first. */
export function spawnManager(args: string[]): Promise<ManagerProcess> {
  const code = `const { main } = await import(${JSON.stringify(MAIN)}); await main(['node', 'swarmlab', ...process.argv.slice(1)]);`;
  const child = spawn(
    process.execPath,
    ['--import', 'tsx', '--input-type=module', '-e', code, 'up', ...args],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { ...process.env, SWARMLAB_LOG_LEVEL: 'warn' },
    },
  );
  let err = '';
  child.stderr!.on('data', (d) => {
    err += String(d);
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout!.on('data', (d) => {
      out += String(d);
      const m = /ready at (http:\/\/\S+)/.exec(out);
      if (m) resolve({ child, url: m[1]! });
    });
    child.once('exit', (code) => reject(new Error(`manager exited ${code}: ${err}`)));
  });
}

/** Sends `signal` (SIGKILL by default) and resolves when the process is gone. */
export function killProcess(child: ChildProcess, signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', () => resolve());
    child.kill(signal);
  });
}
