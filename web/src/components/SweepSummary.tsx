/**
 * A sweep at a glance: trials done of all (and how many are in each state), the trial-epochs consumed, ASHA's
 * rungs, and the best trial so far with its params.
 */
import type { SweepView } from '../api/types.js';
import { integer, num, valueText } from '../lib/format.js';
import { Link } from './Link.js';
import { Progress } from './Progress.js';

const ENDED = new Set(['succeeded', 'failed', 'stopped', 'rejected', 'lost']);

export function SweepSummary(props: { sweep: SweepView }) {
  const { sweep } = props;
  const byState = new Map<string, number>();
  for (const t of sweep.trials) byState.set(t.state, (byState.get(t.state) ?? 0) + 1);
  const done = sweep.trials.filter((t) => ENDED.has(t.state)).length;
  const best = sweep.best;
  return (
    <div class="grid2">
      <section class="card" data-testid="sweep-progress">
        <h3>Progress</h3>
        <p>
          <Progress done={done} total={sweep.trials.length} label="trials ended" /> trials ended
        </p>
        <p class="muted">
          {[...byState].map(([state, n]) => `${n} ${state}`).join(' · ')}
          {' · '}
          <span data-testid="trial-epochs">{integer(sweep.totalResource)} trial-epochs</span>
        </p>
        {sweep.rungs.length > 0 ? (
          <p class="muted">ASHA rungs at {sweep.rungs.map((r) => integer(r)).join(', ')} epochs</p>
        ) : null}
      </section>
      <section class="card" data-testid="sweep-best">
        <h3>Best so far</h3>
        {best ? (
          <>
            <div class="sweep-best">
              <span class="value num">{num(best.value)}</span>
              <span class="muted">
                {sweep.metric} ({sweep.mode}), trial {best.index}:{' '}
                <Link href={`/sessions/${encodeURIComponent(best.sessionId)}`} class="mono">
                  {best.sessionId}
                </Link>
              </span>
            </div>
            <p class="mono small">
              {Object.entries(best.params)
                .map(([k, v]) => `${k}=${valueText(v)}`)
                .join('  ')}
            </p>
          </>
        ) : (
          <p class="muted">No trial has reported {sweep.metric} yet.</p>
        )}
        {sweep.promoted?.map((p) => (
          <p key={`${p.model}/${p.generation}`} class="small">
            Rule {p.rule} put{' '}
            <Link href={`/models/${encodeURIComponent(p.model)}`}>
              {p.model} g{p.generation}
            </Link>{' '}
            in {p.stage}.
          </p>
        ))}
      </section>
    </div>
  );
}
