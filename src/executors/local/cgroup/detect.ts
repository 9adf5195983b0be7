/** Which cgroup version this manager can hold sessions to their grant with: v2 first, then v1, else none and why. */

import { ownCgroups } from './mounts.js';
import { SessionCgroups } from './session-cgroups.js';
import { v1Backend } from './v1.js';
import { v2Backend } from './v2.js';

export type Detection = { cgroups: SessionCgroups } | { cgroups: undefined; reason: string };

const why = (err: unknown): string => {
  const e = err as Error;
  return e.cause ? `${e.message}: ${(e.cause as Error).message}` : e.message;
};

export async function detectCgroups(own = ownCgroups()): Promise<Detection> {
  const reasons: string[] = [];
  try {
    return { cgroups: new SessionCgroups(await v2Backend(own.unified)) };
  } catch (err) {
    reasons.push(`cgroup v2: ${why(err)}`);
  }
  try {
    return { cgroups: new SessionCgroups(await v1Backend(own.v1)) };
  } catch (err) {
    reasons.push(`cgroup v1: ${why(err)}`);
  }
  return { cgroups: undefined, reason: reasons.join('; ') };
}
