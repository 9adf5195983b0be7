/** Sweeps: every sweep with its state, algorithm, metric, trials ended of all, the best value and trial-epochs. */
import { useEffect, useMemo } from 'preact/hooks';
import type { SweepList } from '../api/types.js';
import { Layout } from '../components/Layout.js';
import { Link } from '../components/Link.js';
import { Empty, ErrorBox, Loading } from '../components/Message.js';
import { Progress } from '../components/Progress.js';
import { StateBadge } from '../components/StateBadge.js';
import { integer, num, when } from '../lib/format.js';
import { throttle } from '../lib/throttle.js';
import { useApi } from '../lib/use-api.js';
import { useEvents } from '../lib/use-events.js';

/** A trial starting or ending moves a sweep's counts. */
const TYPES = ['session.submitted', 'session.exited'];

export function SweepsPage() {
  const list = useApi<SweepList>('/api/v1/sweeps');
  const reload = useMemo(() => throttle(list.reload, 1000), [list.reload]);
  useEffect(() => () => reload.cancel(), [reload]);
  useEvents({ types: TYPES }, reload);
  const sweeps = list.data?.sweeps ?? [];
  return (
    <Layout title="Sweeps">
      {list.error ? <ErrorBox error={list.error} /> : null}
      {!list.data && !list.error ? <Loading /> : null}
      {list.data && sweeps.length === 0 ? (
        <Empty>
          No sweeps yet. Start one with <code>swarmlab sweep</code> or <code>POST /api/v1/sweeps</code>.
        </Empty>
      ) : null}
      {sweeps.length > 0 ? (
        <section class="card">
          <table class="table" data-testid="sweeps-table">
            <thead>
              <tr>
                <th>Name</th>
                <th>State</th>
                <th>Algorithm</th>
                <th>Metric</th>
                <th>Trials ended</th>
                <th class="num">Best</th>
                <th class="num">Trial-epochs</th>
                <th>Created</th>
              </tr>
            </thead>
            <tbody>
              {sweeps.map((s) => (
                <tr key={s.id} data-sweep={s.id}>
                  <td class="name">
                    <Link href={`/sweeps/${encodeURIComponent(s.id)}`}>{s.name}</Link>
                  </td>
                  <td>
                    <StateBadge state={s.state} title={s.reason} />
                  </td>
                  <td>{s.algorithm}</td>
                  <td class="mono">
                    {s.metric} ({s.mode})
                  </td>
                  <td>
                    <Progress done={s.finished} total={s.trialCount} label="trials ended" />
                  </td>
                  <td class="num">{s.best ? num(s.best.value) : '—'}</td>
                  <td class="num">{integer(s.totalResource)}</td>
                  <td class="muted">{when(s.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}
    </Layout>
  );
}
