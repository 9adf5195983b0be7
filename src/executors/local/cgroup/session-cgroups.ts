/** One cgroup per session, whichever the version: named, made with its limits, read, and removed once emptied. */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rmdir } from 'node:fs/promises';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { CgroupBackend, CgroupKind, CgroupReport, CgroupSample, Grant } from './backend.js';

/** What a session's cgroup is found by: the same after a manager restart. */
export interface CgroupOwner {
  sessionId: string;
  /** The session's directory; unique per data dir, so two managers on one machine never share a name. */
  dir: string;
}

const errno = (err: unknown): string | undefined => (err as NodeJS.ErrnoException).code;

export class SessionCgroups {
  readonly #backend: CgroupBackend;

  constructor(backend: CgroupBackend) {
    this.#backend = backend;
  }

  get kind(): CgroupKind {
    return this.#backend.kind;
  }

  /** Makes the session's cgroup with its grant; returns the files a process writes its pid to, to join it. */
  async create(owner: CgroupOwner, grant: Grant): Promise<string[]> {
    const dirs = this.dirs(owner);
    try {
      for (const d of dirs) await mkdir(d);
      await this.#backend.limit(dirs, grant);
    } catch (err) {
      await this.remove(owner);
      throw err;
    }
    return dirs.map((d) => join(d, 'cgroup.procs'));
  }

  read(owner: CgroupOwner): Promise<CgroupReport | undefined> {
    return this.#backend.read(this.dirs(owner));
  }

  sample(owner: CgroupOwner): Promise<CgroupSample | undefined> {
    return this.#backend.sample(this.dirs(owner));
  }

  /**
   * Kills what is left in the session's cgroup (helpers that left its process group) and removes it; false when
   * a process outlived `timeoutMs` and the cgroup stays.
   */
  async remove(owner: CgroupOwner, timeoutMs = 2000): Promise<boolean> {
    const end = Date.now() + timeoutMs;
    let removed = true;
    for (const d of this.dirs(owner)) removed = (await emptyAndRemove(d, end)) && removed;
    return removed;
  }

  /** The session's cgroup directories (one per hierarchy), whether they exist or not. */
  dirs(owner: CgroupOwner): string[] {
    const hash = createHash('sha256').update(owner.dir).digest('hex').slice(0, 8);
    const name = `${owner.sessionId.replace(/[^A-Za-z0-9_-]/g, '_')}-${hash}`;
    return this.#backend.parents.map((p) => join(p, name));
  }
}

async function emptyAndRemove(dir: string, end: number): Promise<boolean> {
  for (;;) {
    let pids: number[];
    try {
      pids = (await readFile(join(dir, 'cgroup.procs'), 'utf8')).split('\n').filter(Boolean).map(Number);
    } catch (err) {
      if (errno(err) === 'ENOENT') return true;
      throw err;
    }
    for (const pid of pids) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        // it ended meanwhile
      }
    }
    if (pids.length === 0) {
      try {
        await rmdir(dir);
        return true;
      } catch (err) {
        if (errno(err) === 'ENOENT') return true;
        // EBUSY: a process joined or has not left yet; look again.
        if (errno(err) !== 'EBUSY') throw err;
      }
    }
    if (Date.now() > end) return false;
    await sleep(20);
  }
}
