/**
 * The local executor's isolation: cgroups found once, a session's cgroup made before it starts, and at its end
 * its usage and OOM kills read before the cgroup is removed.
 */
import { oomExit } from '../oom.js';
import type { ExecSpec, ExitInfo, Isolation, SessionUsage } from '../types.js';
import {
  type CgroupOwner,
  type CgroupSample,
  type Detection,
  detectCgroups,
  type SessionCgroups,
} from './cgroup/index.js';

export interface Entered {
  isolation: Isolation;
  /** Files the wrapper writes its pid to, to join the session's cgroup (empty without one). */
  procs: string[];
}

export interface Measured {
  info: ExitInfo;
  usage?: SessionUsage;
}

export class SessionIsolation {
  readonly #warn: (message: string) => void;
  #detected: Promise<Detection> | undefined;

  constructor(warn: (message: string) => void) {
    this.#warn = warn;
  }

  /** Makes the session's cgroup with its grant; without one the session runs unenforced, and says so. */
  async enter(spec: ExecSpec): Promise<Entered> {
    const cgroups = await this.#cgroups();
    if (!cgroups) return { isolation: 'none', procs: [] };
    try {
      return { isolation: cgroups.kind, procs: await cgroups.create(spec, spec.resources) };
    } catch (err) {
      this.#warn(`session ${spec.sessionId} runs without CPU and memory limits: ${(err as Error).message}`);
      return { isolation: 'none', procs: [] };
    }
  }

  /**
   * After the process ended: its usage, and `info` marked OOM-killed if the OOM killer ended it; the cgroup (and
   * anything left in it) removed.
   */
  async leave(spec: ExecSpec, isolation: Isolation | undefined, info: ExitInfo): Promise<Measured> {
    const cgroups = await this.#cgroups();
    if (!cgroups || cgroups.kind !== isolation) return { info };
    try {
      const report = await cgroups.read(spec);
      await this.#remove(cgroups, spec);
      if (!report) return { info };
      // A helper OOM-killed in a session that still exited 0 did not end it; the session succeeded.
      const { memoryMb } = spec.resources;
      const oom = report.oomKills > 0 && info.exitCode !== 0 && memoryMb > 0;
      return { info: oom ? oomExit(info, memoryMb) : info, usage: report.usage };
    } catch (err) {
      this.#warn(`session ${spec.sessionId}: its cgroup could not be read: ${(err as Error).message}`);
      return { info };
    }
  }

  /** A running session's counters from its cgroup; undefined without one (or once it is gone). */
  async sample(owner: CgroupOwner, isolation: Isolation | undefined): Promise<CgroupSample | undefined> {
    const cgroups = await this.#cgroups();
    if (!cgroups || cgroups.kind !== isolation) return undefined;
    return cgroups.sample(owner).catch(() => undefined);
  }

  /** Removes the cgroup of a session that has no process to follow (its start failed or was never recorded). */
  async discard(owner: CgroupOwner): Promise<void> {
    const cgroups = await this.#cgroups();
    if (cgroups) await this.#remove(cgroups, owner);
  }

  async #remove(cgroups: SessionCgroups, owner: CgroupOwner): Promise<void> {
    if (!(await cgroups.remove(owner)))
      this.#warn(`session ${owner.sessionId}: its cgroup stays, a process in it outlived SIGKILL`);
  }

  /** Detected at first use, once; the warning when there are none is logged once. */
  async #cgroups(): Promise<SessionCgroups | undefined> {
    this.#detected ??= detectCgroups().then((d) => {
      if (!d.cgroups)
        this.#warn(`cgroups unavailable, local sessions run without CPU and memory limits (${d.reason})`);
      return d;
    });
    return (await this.#detected).cgroups;
  }
}
