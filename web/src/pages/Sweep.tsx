/** One sweep: its state and Stop, progress and the best trial so far, every trial, and trial params against the metric. */
import { useMemo, useState } from 'preact/hooks';
import { post } from '../api/client.js';
import { Crumbs } from '../components/Crumbs.js';
import { Layout } from '../components/Layout.js';
import { ErrorBox, Loading } from '../components/Message.js';
import { ParallelPlot } from '../components/ParallelPlot.js';
import { StateBadge } from '../components/StateBadge.js';
import { SweepSummary } from '../components/SweepSummary.js';
import { TrialsTable } from '../components/TrialsTable.js';
import { useSweepLive } from '../lib/use-sweep-live.js';

export function SweepPage(props: { id: string }) {
  const sweep = useSweepLive(props.id);
  const s = sweep.data;
  const [stopError, setStopError] = useState<Error | undefined>(undefined);
  const runs = useMemo(
    () =>
      (s?.trials ?? []).flatMap((t) =>
        t.sessionId
          ? [
              {
                key: t.sessionId,
                label: `trial ${t.index}`,
                href: `/sessions/${encodeURIComponent(t.sessionId)}`,
                params: t.params,
                value: t.value,
              },
            ]
          : [],
      ),
    [s],
  );
  const stop = async () => {
    if (!s || !confirm(`Stop sweep ${s.name} and its running trials?`)) return;
    try {
      await post(`/api/v1/sweeps/${encodeURIComponent(s.id)}/stop`, {});
      sweep.reload();
    } catch (err) {
      setStopError(err as Error);
    }
  };
  return (
    <Layout title={<Crumbs trail={[['/sweeps', 'Sweeps']]}>{s?.name ?? props.id}</Crumbs>}>
      {sweep.error ? <ErrorBox error={sweep.error} /> : null}
      {stopError ? <ErrorBox error={stopError} /> : null}
      {!s && !sweep.error ? <Loading /> : null}
      {s ? (
        <>
          <div class="session-head">
            <StateBadge state={s.state} title={s.reason} />
            <span class="mono muted">{s.id}</span>
            <span class="tag">{s.algorithm}</span>
            <span class="muted">
              {s.mode === 'max' ? 'maximise' : 'minimise'} <span class="mono">{s.metric}</span>,{' '}
              {s.parallelism} at once
            </span>
            <span class="spacer" />
            {s.state === 'running' ? (
              <button type="button" class="danger" onClick={stop}>
                Stop
              </button>
            ) : null}
          </div>
          <SweepSummary sweep={s} />
          <section class="card">
            <h3>Trials</h3>
            <TrialsTable sweep={s} />
          </section>
          {runs.length > 0 ? (
            <section class="card">
              <h3>Params against {s.metric}</h3>
              <ParallelPlot runs={runs} params={Object.keys(s.spec.space)} metric={s.metric} goal={s.mode} />
            </section>
          ) : null}
        </>
      ) : null}
    </Layout>
  );
}
