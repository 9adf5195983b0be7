/**
 * Sessions running while the manager is killed: each iteration submits a long session, then short ones back to
 * back (each waited for until it runs), and the kill lands in a submit, a placement, a start or a run. Every job
 * appends its pid to a file of its own, so after the restart a job that ran twice shows two lines. The long
 * session is stopped, every session must end, and then no process carrying the run's marker may be left.
 */
import { randomUUID } from 'node:crypto';
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isTerminal, type SessionRecord } from '../../api/index.js';
import { SessionsClient } from '../../sdk/index.js';
import { waitForSession } from '../sessions.js';
import { survivors } from './orphans.js';
import { between } from './payload.js';
import { repeat, type Scenario, type ScenarioContext } from './scenario.js';

const MARK = 'SWARMLAB_FAULT_MARK';
const ENDED_WITHIN_MS = 60_000;
const NOT_STARTED = ['queued', 'placed', 'starting'];

export function sessionsScenario(): Scenario {
  const mark = randomUUID();
  /** Acknowledged submits of the current iteration. */
  let acked = new Set<string>();
  /** Names of the sessions meant to run until stopped. */
  const long = new Set<string>();
  let op = 0;
  const sessions = (ctx: ScenarioContext) => new SessionsClient(ctx.manager.client);
  const runFile = (ctx: ScenarioContext, name: string) => join(ctx.manager.dir, 'fault-runs', name);
  const tag = (ctx: ScenarioContext) => `iteration-${ctx.iteration}`;

  async function submit(ctx: ScenarioContext, seconds: number): Promise<SessionRecord> {
    const name = `fault-${op++}`;
    if (seconds > 60) long.add(name);
    const s = await sessions(ctx).submit({
      name,
      command: ['sh', '-c', `echo $$ >> ${runFile(ctx, name)}; exec sleep ${seconds}`],
      env: { [MARK]: mark },
      resources: { cpus: 0.25, memoryMb: 64 },
      tags: [tag(ctx)],
    });
    acked.add(s.id);
    ctx.acknowledge();
    return s;
  }

  /** How many times the session's job started: lines in its run file. */
  async function runs(ctx: ScenarioContext, name: string): Promise<number> {
    const text = await readFile(runFile(ctx, name), 'utf8').catch(() => '');
    return text.split('\n').filter(Boolean).length;
  }

  return {
    flags: ['--stop-grace', '2s'],
    windowMs: 3000,
    async drive(ctx, stop) {
      await mkdir(join(ctx.manager.dir, 'fault-runs'), { recursive: true });
      acked = new Set();
      let seconds = 600;
      await repeat(stop, async () => {
        const s = await submit(ctx, seconds);
        seconds = between(ctx.random, 2, 10) / 10;
        await waitForSession(
          ctx.manager.client,
          s.id,
          (r) => !NOT_STARTED.includes(r.state),
          ENDED_WITHIN_MS,
        );
      });
    },
    async check(ctx) {
      const { sessions: listed } = await sessions(ctx).list({ tags: [tag(ctx)], limit: 1000 });
      const ids = new Set(listed.map((s) => s.id));
      for (const id of acked) if (!ids.has(id)) ctx.violate('losses', `session ${id} is gone`);
      for (const s of listed) if (long.has(s.name) && !isTerminal(s.state)) await sessions(ctx).stop(s.id);
      for (const s of listed) {
        const end = await waitForSession(
          ctx.manager.client,
          s.id,
          (r) => isTerminal(r.state),
          ENDED_WITHIN_MS,
        );
        const count = await runs(ctx, s.name);
        if (count > 1) ctx.violate('doubleRuns', `session ${s.id} (${s.name}) ran ${count} times`);
        if (end.state === 'succeeded' && count === 0)
          ctx.violate('losses', `session ${s.id} succeeded, never ran`);
      }
      const left = await survivors(MARK, mark, 5_000);
      if (left.length === 0) return;
      ctx.violate('orphans', `processes ${left.join(', ')} outlived their sessions`);
      // Killed by pid so the next iteration starts clean.
      for (const pid of left) process.kill(pid, 'SIGKILL');
    },
  };
}
