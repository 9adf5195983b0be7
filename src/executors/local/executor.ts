/**
 * Runs sessions as detached local processes (own process group, own cgroup where the machine has them), output to
 * files, identity from /proc.
 */
import { spawn } from 'node:child_process';
import { closeSync, openSync, writeFileSync } from 'node:fs';
import { mkdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { InvalidError, UnavailableError } from '../../errors/index.js';
import { isAlive, readStat } from '../../util/proc.js';
import type {
  ExecHandle,
  ExecHooks,
  ExecSpec,
  ExecStatus,
  Executor,
  ExitInfo,
  OutputOffsets,
  OutputStream,
  RankUsage,
} from '../types.js';
import { SessionIsolation } from './isolation.js';
import { outputFile, readTail, SessionOutput } from './output.js';
import { killGroup, reniceGroup } from './proc.js';
import { sampleLocal } from './usage.js';
import { outcome, SHELL, WRAPPER } from './wrapper.js';

export interface LocalExecutorOptions {
  /** Longer lines are cut to this many bytes plus a marker (default 16 KiB). */
  maxLineBytes?: number;
  /** How often a re-attached process (not our child) is checked for exit (default 200 ms). */
  pollMs?: number;
  /** Told when sessions run without CPU and memory limits (no usable cgroups), once, and of cgroup trouble. */
  onWarning?: (message: string) => void;
}

interface Tracked {
  spec: ExecSpec;
  handle: ExecHandle;
  output: SessionOutput;
  hooks: ExecHooks;
  /** Our own child (false after a re-attach). */
  attached: boolean;
  exited: boolean;
  done: Promise<void>;
  resolveDone: () => void;
  killed: NodeJS.Signals | undefined;
  poll?: NodeJS.Timeout;
}

const exitFile = (dir: string): string => join(dir, 'exit');
export const handleFile = (dir: string): string => join(dir, 'handle.json');

async function readExitStatus(dir: string): Promise<number | undefined> {
  try {
    const n = Number((await readFile(exitFile(dir), 'utf8')).trim());
    return Number.isInteger(n) ? n : undefined;
  } catch {
    return undefined;
  }
}

export class LocalExecutor implements Executor {
  readonly name = 'local';
  readonly #tracked = new Map<string, Tracked>();
  readonly #maxLine: number;
  readonly #pollMs: number;
  readonly #isolation: SessionIsolation;
  #closed = false;

  constructor(options: LocalExecutorOptions = {}) {
    this.#maxLine = options.maxLineBytes ?? 16 * 1024;
    this.#pollMs = options.pollMs ?? 200;
    this.#isolation = new SessionIsolation(options.onWarning ?? (() => {}));
  }

  async start(spec: ExecSpec, hooks: ExecHooks, offsets?: OutputOffsets): Promise<ExecHandle> {
    if (this.#closed) throw new UnavailableError('the local executor is closed');
    if (spec.command.length === 0) {
      throw new InvalidError('command is empty', {
        details: { field: 'command', sessionId: spec.sessionId },
      });
    }
    await mkdir(spec.dir, { recursive: true });
    await rm(exitFile(spec.dir), { force: true });
    const { isolation, procs } = await this.#isolation.enter(spec);
    const argv = spec.shell ? [SHELL, '-c', spec.command.join(' ')] : spec.command;
    const out = openSync(outputFile(spec.dir, 'stdout'), 'a');
    const err = openSync(outputFile(spec.dir, 'stderr'), 'a');
    let child: ReturnType<typeof spawn>;
    try {
      child = spawn(SHELL, ['-c', WRAPPER, 'swarmlab', exitFile(spec.dir), procs.join(' '), ...argv], {
        cwd: spec.cwd,
        env: spec.env,
        detached: true,
        stdio: ['ignore', out, err],
      });
      await new Promise<void>((resolve, reject) => {
        child.once('spawn', resolve);
        child.once('error', reject);
      });
    } catch (cause) {
      await this.#isolation.discard(spec);
      throw new UnavailableError(`session ${spec.sessionId} could not start: ${(cause as Error).message}`, {
        details: { sessionId: spec.sessionId, cwd: spec.cwd },
        cause,
      });
    } finally {
      closeSync(out);
      closeSync(err);
    }
    const pid = child.pid!;
    const handle: ExecHandle = {
      executor: this.name,
      pid,
      startTime: readStat(pid)?.startTime ?? 0,
      dir: spec.dir,
      isolation,
    };
    // Written before the manager records `running`, so a restart in between can still find the process.
    writeFileSync(handleFile(spec.dir), JSON.stringify(handle));
    const t = this.#track(spec, handle, hooks, offsets ?? { stdout: 0, stderr: 0 }, true);
    child.once('exit', (code, signal) => {
      void this.#finish(t, outcome(code, signal));
    });
    child.unref();
    return handle;
  }

  async recover(spec: ExecSpec): Promise<ExecHandle | undefined> {
    try {
      return JSON.parse(await readFile(handleFile(spec.dir), 'utf8')) as ExecHandle;
    } catch {
      // No process to follow: a cgroup made just before the manager stopped has no one to remove it later.
      await this.#isolation.discard(spec);
      return undefined;
    }
  }

  async attach(
    spec: ExecSpec,
    handle: ExecHandle,
    hooks: ExecHooks,
    offsets: OutputOffsets,
  ): Promise<boolean> {
    const t = this.#track(spec, handle, hooks, offsets, false);
    if (handle.startTime > 0 && isAlive(handle.pid, handle.startTime)) {
      t.poll = setInterval(() => {
        if (!isAlive(handle.pid, handle.startTime)) void this.#exitedWhileAway(t);
      }, this.#pollMs);
      t.poll.unref();
      return true;
    }
    await this.#exitedWhileAway(t);
    return false;
  }

  /** Exit of a process that is not our child: the wrapper's status file says how it ended, if it got to write it. */
  async #exitedWhileAway(t: Tracked): Promise<void> {
    if (t.exited) return;
    clearInterval(t.poll);
    const status = await readExitStatus(t.handle.dir);
    let info: ExitInfo;
    if (status !== undefined) info = outcome(status, null);
    else if (t.killed) info = { exitCode: null, signal: t.killed };
    else
      info = {
        exitCode: null,
        signal: null,
        lost: true,
        reason: 'the process ended and left no exit status',
      };
    await this.#finish(t, info);
  }

  #track(
    spec: ExecSpec,
    handle: ExecHandle,
    hooks: ExecHooks,
    offsets: OutputOffsets,
    own: boolean,
  ): Tracked {
    let resolveDone!: () => void;
    const done = new Promise<void>((r) => {
      resolveDone = r;
    });
    const t: Tracked = {
      spec,
      handle,
      hooks,
      output: new SessionOutput(spec.dir, offsets, hooks, this.#maxLine),
      attached: !own,
      exited: false,
      done,
      resolveDone,
      killed: undefined,
    };
    this.#tracked.set(spec.sessionId, t);
    return t;
  }

  async #finish(t: Tracked, info: ExitInfo): Promise<void> {
    if (t.exited) return;
    t.exited = true;
    clearInterval(t.poll);
    // Anything the command left behind in its group (background helpers holding a GPU) goes with it.
    killGroup(t.handle.pid, 'SIGKILL');
    try {
      if (!this.#closed) {
        // Once closed, the cgroup stays for the next manager, which reads how the process ended from it.
        const measured = await this.#isolation.leave(t.spec, t.handle.isolation, info);
        await t.output.finish();
        await t.hooks.exit(measured.info, measured.usage);
      } else {
        await t.output.close();
      }
    } finally {
      for (const [id, x] of this.#tracked) if (x === t) this.#tracked.delete(id);
      t.resolveDone();
    }
  }

  async stop(sessionId: string, graceMs: number): Promise<void> {
    const t = this.#tracked.get(sessionId);
    if (!t || t.exited) return t?.done;
    t.killed = 'SIGTERM';
    killGroup(t.handle.pid, 'SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const graceOver = new Promise<boolean>((r) => {
      timer = setTimeout(() => r(true), graceMs);
    });
    const late = await Promise.race([t.done.then(() => false), graceOver]);
    clearTimeout(timer);
    if (late) {
      t.killed = 'SIGKILL';
      killGroup(t.handle.pid, 'SIGKILL');
    }
    await t.done;
  }

  signal(sessionId: string, signal: NodeJS.Signals): boolean {
    const t = this.#tracked.get(sessionId);
    if (!t || t.exited) return false;
    if (signal === 'SIGKILL' || signal === 'SIGTERM') t.killed = signal;
    return killGroup(t.handle.pid, signal);
  }

  status(sessionId: string): ExecStatus | undefined {
    const t = this.#tracked.get(sessionId);
    return t && { state: t.exited ? 'exited' : 'running', pid: t.handle.pid, attached: t.attached };
  }

  async logs(sessionId: string, stream: OutputStream, maxBytes = 64 * 1024): Promise<string> {
    const t = this.#tracked.get(sessionId);
    return t ? readTail(t.handle.dir, stream, maxBytes) : '';
  }

  async yield(sessionId: string): Promise<boolean> {
    const t = this.#tracked.get(sessionId);
    if (!t || t.exited) return false;
    return reniceGroup(t.handle.pid, 19) > 0;
  }

  usage(): Promise<Map<string, RankUsage[]>> {
    return sampleLocal(
      [...this.#tracked.values()].filter((t) => !t.exited),
      this.#isolation,
    );
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    for (const t of this.#tracked.values()) {
      clearInterval(t.poll);
      await t.output.close();
    }
    this.#tracked.clear();
  }
}
