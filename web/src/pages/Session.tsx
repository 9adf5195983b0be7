/**
 * One session: state, Stop, live metric and usage charts, the log tail, the event timeline, artifacts, resources and
 * environment.
 */
import { useMemo, useState } from 'preact/hooks';
import { post } from '../api/client.js';
import { ArtifactsPanel } from '../components/ArtifactsPanel.js';
import { Crumbs } from '../components/Crumbs.js';
import { Layout } from '../components/Layout.js';
import { Link } from '../components/Link.js';
import { LogTail } from '../components/LogTail.js';
import { ErrorBox, Loading } from '../components/Message.js';
import { MetricCharts } from '../components/MetricCharts.js';
import { SessionFacts } from '../components/SessionFacts.js';
import { StateBadge } from '../components/StateBadge.js';
import { Timeline } from '../components/Timeline.js';
import { UsageCharts } from '../components/UsageCharts.js';
import { integer } from '../lib/format.js';
import { splitUsage } from '../lib/usage-series.js';
import { useSessionLive } from '../lib/use-session-live.js';

const ACTIVE = new Set(['queued', 'placed', 'starting', 'running']);

export function SessionPage(props: { id: string }) {
  const live = useSessionLive(props.id);
  const s = live.record.data;
  const [stopError, setStopError] = useState<Error | undefined>(undefined);
  const [stopping, setStopping] = useState(false);
  const [xTime, setXTime] = useState(false);

  const stop = async () => {
    if (!s || !confirm(`Stop session ${s.name}?`)) return;
    setStopping(true);
    try {
      live.record.set(
        await post(`/api/v1/sessions/${encodeURIComponent(s.id)}/stop`, {
          reason: 'stopped from the dashboard',
        }),
      );
    } catch (err) {
      setStopError(err as Error);
    } finally {
      setStopping(false);
    }
  };

  const m = live.metrics;
  // Usage (sys/…) has its own card against time; the metrics card keeps the training metrics.
  const charts = useMemo(
    () => ({
      training: splitUsage(xTime ? m.byTime : m.byStep).training,
      usage: splitUsage(m.byTime).usage,
    }),
    [m, xTime, live.metricsVersion],
  );
  const stored = [...m.stored.values()].reduce((a, b) => a + b, 0);
  return (
    <Layout title={<Crumbs trail={[['/sessions', 'Sessions']]}>{s?.name ?? props.id}</Crumbs>}>
      {live.record.error ? <ErrorBox error={live.record.error} /> : null}
      {!s && !live.record.error ? <Loading /> : null}
      {s ? (
        <>
          <div class="session-head">
            <StateBadge state={s.state} title={s.reason} />
            <span class="mono muted">{s.id}</span>
            {s.dataset ? (
              <Link href={`/datasets/${encodeURIComponent(s.dataset.split('@')[0]!)}`} class="mono">
                {s.dataset}
              </Link>
            ) : null}
            <span class="spacer" />
            {ACTIVE.has(s.state) ? (
              <button
                type="button"
                class="danger"
                onClick={stop}
                disabled={stopping || s.stopRequestedAt !== undefined}
              >
                {s.stopRequestedAt ? 'Stopping…' : 'Stop'}
              </button>
            ) : null}
          </div>
          {stopError ? <ErrorBox error={stopError} /> : null}
        </>
      ) : null}
      <section class="card">
        <div class="card-head">
          <h3>
            Metrics{' '}
            <span class="muted small num" data-testid="metrics-summary">
              {live.metricsLoaded
                ? `${integer(m.shown)} points shown${m.downsampled ? ` of ${integer(stored)} (min/max downsampled)` : ''}`
                : 'loading…'}
            </span>
          </h3>
          <fieldset class="x-toggle" aria-label="x axis">
            {(['step', 'time'] as const).map((x) => (
              <button
                type="button"
                key={x}
                class={`chip ${(x === 'time') === xTime ? 'active' : ''}`}
                data-x={x}
                onClick={() => setXTime(x === 'time')}
              >
                vs {x}
              </button>
            ))}
          </fieldset>
        </div>
        <MetricCharts series={charts.training} xTime={xTime} version={live.metricsVersion} />
      </section>
      {charts.usage.size > 0 ? (
        <section class="card">
          <h3>Usage</h3>
          <UsageCharts usage={charts.usage} placement={s?.placement} version={live.metricsVersion} />
        </section>
      ) : null}
      <div class="grid2">
        <section class="card">
          <h3>Output</h3>
          <LogTail lines={live.logs} version={live.logsVersion} dropped={live.logsDropped} />
        </section>
        <section class="card">
          <h3>Events</h3>
          <Timeline events={live.timeline} hidden={live.timelineHidden} />
        </section>
      </div>
      {s ? <ArtifactsPanel sessionId={s.id} state={s.state} /> : null}
      {s ? <SessionFacts s={s} /> : null}
    </Layout>
  );
}
