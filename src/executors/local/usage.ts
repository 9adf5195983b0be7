/** What the local executor's running sessions use now: from each one's cgroup, else from /proc by process group. */
import type { ExecHandle, ExecSpec, RankUsage } from '../types.js';
import type { SessionIsolation } from './isolation.js';
import { groupUsage } from './proc-usage.js';

export interface Running {
  spec: ExecSpec;
  handle: ExecHandle;
}

/** One rank per session: a local session is one process group (its wrapper's), in one cgroup. */
export async function sampleLocal(
  sessions: readonly Running[],
  isolation: SessionIsolation,
): Promise<Map<string, RankUsage[]>> {
  const out = new Map<string, RankUsage[]>();
  const cgroup = await Promise.all(sessions.map((s) => isolation.sample(s.spec, s.handle.isolation)));
  const plain: Running[] = [];
  sessions.forEach((s, i) => {
    const sample = cgroup[i];
    if (sample) out.set(s.spec.sessionId, [{ rank: 0, ...sample }]);
    else plain.push(s);
  });
  if (plain.length === 0) return out;
  // One pass over /proc for all of them, not one per session.
  const byGroup = groupUsage(plain.map((s) => s.handle.pid));
  for (const s of plain) {
    const sample = byGroup.get(s.handle.pid);
    if (sample) out.set(s.spec.sessionId, [{ rank: 0, ...sample }]);
  }
  return out;
}
