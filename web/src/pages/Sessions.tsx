/** Sessions: a paged table filtered by state, updated live from session events; ticked runs open in Compare. */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, query } from '../api/client.js';
import type { SessionPage, SessionState, SwarmEvent } from '../api/types.js';
import { Layout } from '../components/Layout.js';
import { Empty, ErrorBox, Loading } from '../components/Message.js';
import { Pager } from '../components/Pager.js';
import { type LastMetric, SessionRow } from '../components/SessionRow.js';
import { integer } from '../lib/format.js';
import { newestTraining } from '../lib/last-metric.js';
import { useObservable } from '../lib/observable.js';
import { currentLocation, navigate, setSearch } from '../lib/router.js';
import { throttle } from '../lib/throttle.js';
import { useApi } from '../lib/use-api.js';
import { useEvents } from '../lib/use-events.js';

const STATES: SessionState[] = [
  'queued',
  'placed',
  'starting',
  'running',
  'succeeded',
  'failed',
  'stopped',
  'rejected',
  'lost',
];
const LIVE_TYPES = [
  'session.submitted',
  'session.placed',
  'session.starting',
  'session.started',
  'session.exited',
  'session.epoch',
  'session.demoted',
  'session.stop-requested',
];
const LIMIT = 50;

async function countStates(): Promise<Record<string, number>> {
  const all = ['', ...STATES];
  const totals = await Promise.all(
    all.map((s) => api<SessionPage>(`/api/v1/sessions${query({ state: s, limit: 1 })}`).then((p) => p.total)),
  );
  return Object.fromEntries(all.map((s, i) => [s || 'all', totals[i]!]));
}

export function SessionsPage() {
  const { search } = useObservable(currentLocation);
  const state = search.get('state') ?? '';
  const offset = Number(search.get('offset') ?? 0) || 0;
  const page = useApi<SessionPage>(`/api/v1/sessions${query({ state, limit: LIMIT, offset })}`);
  const [counts, setCounts] = useState<Record<string, number>>({});
  const [now, setNow] = useState(Date.now());
  const last = useRef(new Map<string, LastMetric>());
  const [picked, setPicked] = useState<string[]>([]);
  const pick = (id: string) => setPicked((p) => (p.includes(id) ? p.filter((x) => x !== id) : [...p, id]));
  const [, setTick] = useState(0);

  const refresh = useMemo(
    () =>
      throttle(() => {
        page.reload();
        countStates().then(setCounts, () => {});
      }, 1000),
    [page.reload],
  );
  const rerender = useMemo(() => throttle(() => setTick((t) => t + 1), 250), []);
  useEffect(() => {
    countStates().then(setCounts, () => {});
    return () => {
      refresh.cancel();
      rerender.cancel();
    };
  }, [refresh, rerender]);

  // Rows seen for the first time get their newest stored points; live epochs replace them after that.
  const fetched = useRef(new Set<string>());
  useEffect(() => {
    for (const s of page.data?.sessions ?? []) {
      if (fetched.current.has(s.id) || s.state === 'queued') continue;
      fetched.current.add(s.id);
      newestTraining(s.id).then(
        (lastOf) => {
          if (lastOf && !last.current.has(s.id)) {
            last.current.set(s.id, lastOf);
            rerender();
          }
        },
        () => fetched.current.delete(s.id),
      );
    }
  }, [page.data, rerender]);

  const running = page.data?.sessions.some((s) => s.startedAt && !s.endedAt) ?? false;
  useEffect(() => {
    if (!running) return;
    const t = setInterval(() => setNow(Date.now()), 1000);
    return () => clearInterval(t);
  }, [running]);

  useEvents({ types: LIVE_TYPES }, (e: SwarmEvent) => {
    if (e.type === 'session.epoch' && e.sessionId) {
      last.current.set(e.sessionId, { epoch: e.data.epoch, total: e.data.total, metrics: e.data.metrics });
      rerender();
    } else refresh();
  });

  const sessions = page.data?.sessions ?? [];
  return (
    <Layout title="Sessions">
      <div class="toolbar">
        <div class="chips" role="tablist" aria-label="Filter by state">
          {['', ...STATES].map((s) => (
            <button
              type="button"
              key={s || 'all'}
              class={`chip ${s === state ? 'active' : ''}`}
              data-filter={s || 'all'}
              onClick={() => setSearch({ state: s, offset: 0 })}
            >
              {s || 'all'}{' '}
              <span class="num muted">
                {counts[s || 'all'] !== undefined ? integer(counts[s || 'all']!) : ''}
              </span>
            </button>
          ))}
        </div>
        <button
          type="button"
          class="primary"
          data-testid="compare"
          disabled={picked.length < 2}
          onClick={() => navigate(`/compare${query({ ids: picked.join(',') })}`)}
        >
          Compare{picked.length ? ` (${picked.length})` : ''}
        </button>
      </div>
      {page.data && page.data.total > 0 ? (
        <div class="table-head">
          <span class="muted small">Newest first · live</span>
          <Pager
            offset={page.data.offset}
            limit={LIMIT}
            total={page.data.total}
            onPage={(o) => setSearch({ offset: o })}
          />
        </div>
      ) : null}
      {page.error ? <ErrorBox error={page.error} /> : null}
      {!page.data && page.loading ? <Loading /> : null}
      {page.data && sessions.length === 0 ? (
        <Empty>
          No {state ? `${state} ` : ''}sessions. Start one with <code>swarmlab run -- node train.js</code>.
        </Empty>
      ) : null}
      {sessions.length > 0 ? (
        <table class="table sessions" data-testid="sessions-table">
          <thead>
            <tr>
              <th class="pick" />
              <th>State</th>
              <th>Name</th>
              <th>Dataset</th>
              <th>Resources</th>
              <th>Node</th>
              <th>Runtime</th>
              <th>Last metric</th>
              <th>Created</th>
            </tr>
          </thead>
          <tbody>
            {sessions.map((s) => (
              <SessionRow
                key={s.id}
                s={s}
                now={now}
                last={last.current.get(s.id)}
                picked={picked.includes(s.id)}
                onPick={pick}
              />
            ))}
          </tbody>
        </table>
      ) : null}
    </Layout>
  );
}
