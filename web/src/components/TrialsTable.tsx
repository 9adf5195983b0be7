/**
 * A sweep's trials: state, a column per param, the metric (last and best), the epochs consumed and, for ASHA, the
 * rung reached (and where a trial was stopped). The best trial's row is marked.
 */
import type { SweepView, TrialView } from '../api/types.js';
import { integer, valueText } from '../lib/format.js';
import { Link } from './Link.js';
import { StateBadge } from './StateBadge.js';

function rung(t: TrialView, rungs: number[]): string {
  const reached = t.rung >= 0 ? `${t.rung} (${rungs[t.rung] ?? '?'})` : '—';
  return t.stoppedAtRung === undefined ? reached : `${reached}, stopped at ${t.stoppedAtRung}`;
}

export function TrialsTable(props: { sweep: SweepView }) {
  const { sweep } = props;
  const params = Object.keys(sweep.spec.space);
  const asha = sweep.algorithm === 'asha';
  return (
    <div class="scroll-x">
      <table class="table compact" data-testid="trials-table">
        <thead>
          <tr>
            <th class="num">#</th>
            <th>State</th>
            {params.map((p) => (
              <th key={p} class="mono">
                {p}
              </th>
            ))}
            <th class="num mono">{sweep.metric}</th>
            <th class="num">best</th>
            <th class="num">epochs</th>
            {asha ? <th>rung</th> : null}
            <th>Session</th>
          </tr>
        </thead>
        <tbody>
          {sweep.trials.map((t) => (
            <tr key={t.index} data-trial={t.index} class={sweep.best?.index === t.index ? 'best-trial' : ''}>
              <td class="num">{t.index}</td>
              <td>
                <StateBadge state={t.state} />
              </td>
              {params.map((p) => (
                <td key={p} class="num">
                  {valueText(t.params[p])}
                </td>
              ))}
              <td class="num" data-col="value">
                {valueText(t.value)}
              </td>
              <td class="num">{valueText(t.best)}</td>
              <td class="num">{integer(t.resource)}</td>
              {asha ? <td data-col="rung">{rung(t, sweep.rungs)}</td> : null}
              <td>
                {t.sessionId ? (
                  <Link href={`/sessions/${encodeURIComponent(t.sessionId)}`} class="mono">
                    {t.sessionId}
                  </Link>
                ) : (
                  <span class="muted">not submitted</span>
                )}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
