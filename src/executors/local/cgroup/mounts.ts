/** Where this process's own cgroups are: its directory in the unified (v2) hierarchy and in each v1 controller's. */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';

export interface OwnCgroups {
  /** This process's cgroup in the cgroup2 mount, when there is one. */
  unified?: string;
  /** v1 controller name (`memory`, `cpu`, `cpuacct`…) → this process's cgroup under that controller's mount. */
  v1: Map<string, string>;
}

const readText = (path: string): string => {
  try {
    return readFileSync(path, 'utf8');
  } catch {
    return '';
  }
};

/** `/proc/self/cgroup`: `id:controllers:path`, controllers empty for the unified hierarchy (key ''). */
function ownPaths(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const line of text.split('\n')) {
    const a = line.indexOf(':');
    const b = line.indexOf(':', a + 1);
    if (a < 0 || b < 0) continue;
    const path = line.slice(b + 1);
    for (const c of line.slice(a + 1, b).split(',')) out.set(c, path);
  }
  return out;
}

/** A mount shows the hierarchy from `root` down; our cgroup is visible in it only if it lies under that root. */
function under(mountPoint: string, root: string, path: string): string | undefined {
  if (root === '/') return resolve(mountPoint, `.${path}`);
  if (path === root || path.startsWith(`${root}/`)) return resolve(mountPoint, `.${path.slice(root.length)}`);
  return undefined;
}

/** Reads `/proc/self/mountinfo` (fields: … root mountpoint … `-` fstype source superoptions). */
export function ownCgroups(
  mountinfo = readText('/proc/self/mountinfo'),
  cgroup = readText('/proc/self/cgroup'),
): OwnCgroups {
  const own = ownPaths(cgroup);
  const out: OwnCgroups = { v1: new Map() };
  for (const line of mountinfo.split('\n')) {
    const [left, right] = line.split(' - ');
    if (!left || !right) continue;
    const f = left.split(' ');
    const [fstype, , options = ''] = right.split(' ');
    const root = f[3];
    const mountPoint = f[4];
    if (root === undefined || mountPoint === undefined) continue;
    if (fstype === 'cgroup2') {
      const path = own.get('');
      if (path !== undefined) out.unified ??= under(mountPoint, root, path);
    } else if (fstype === 'cgroup') {
      for (const c of options.split(',')) {
        const path = own.get(c);
        const dir = path === undefined ? undefined : under(mountPoint, root, path);
        if (dir !== undefined && !out.v1.has(c)) out.v1.set(c, dir);
      }
    }
  }
  return out;
}
