/**
 * Nodes: each node's capacity, who holds it and what they use, and the queue in scheduling order; live on
 * placements, with use read again while it is sampled.
 */
import { useEffect, useMemo, useState } from 'preact/hooks';
import { api } from '../api/client.js';
import type { NodesResponse, SessionRecord } from '../api/types.js';
import { Layout } from '../components/Layout.js';
import { Link } from '../components/Link.js';
import { Empty, ErrorBox, Loading } from '../components/Message.js';
import { NodeCard } from '../components/NodeCard.js';
import { cpus, duration, megabytes } from '../lib/format.js';
import { throttle } from '../lib/throttle.js';
import { useApi } from '../lib/use-api.js';
import { useEvents } from '../lib/use-events.js';

const LIVE_TYPES = ['session.placed', 'session.exited', 'session.demoted', 'node.*'];
const USED_POLL_MS = 5000;

export function NodesPage() {
  const res = useApi<NodesResponse>('/api/v1/nodes');
  const [sessions, setSessions] = useState(new Map<string, SessionRecord>());
  const refresh = useMemo(() => throttle(res.reload, 1000), [res.reload]);
  useEffect(() => () => refresh.cancel(), [refresh]);
  useEvents({ types: LIVE_TYPES }, refresh);
  // Use is sampled without events: while sessions run on sampled nodes, read it again every few seconds.
  const sampled = res.data?.nodes.some((n) => n.used && n.sessions.length > 0) ?? false;
  useEffect(() => {
    if (!sampled) return;
    const t = setInterval(refresh, USED_POLL_MS);
    return () => clearInterval(t);
  }, [sampled, refresh]);

  // Names and grants of the sessions on the nodes (a handful per node).
  const ids = res.data
    ? [...new Set([...res.data.nodes.flatMap((n) => n.sessions), ...res.data.queue.map((q) => q.sessionId)])]
    : [];
  const key = ids.join(',');
  useEffect(() => {
    if (ids.length === 0) return;
    let live = true;
    void Promise.all(
      ids
        .slice(0, 200)
        .map((id) => api<SessionRecord>(`/api/v1/sessions/${encodeURIComponent(id)}`).catch(() => undefined)),
    ).then((list) => {
      if (!live) return;
      setSessions(new Map(list.filter((s): s is SessionRecord => s !== undefined).map((s) => [s.id, s])));
    });
    return () => {
      live = false;
    };
  }, [key]);

  const data = res.data;
  return (
    <Layout title="Nodes">
      {res.error ? <ErrorBox error={res.error} /> : null}
      {!data && res.loading ? <Loading /> : null}
      {data && data.nodes.length === 0 ? (
        <Empty>No nodes. Start the manager without --no-local-node, or pass --nodes FILE.</Empty>
      ) : null}
      <div class="nodes" data-testid="nodes">
        {data?.nodes.map((n) => (
          <NodeCard key={n.name} node={n} sessions={sessions} />
        ))}
      </div>
      {data ? (
        <section class="card">
          <h3>Queue ({data.queue.length})</h3>
          {data.queue.length === 0 ? (
            <p class="muted small">Nothing waiting.</p>
          ) : (
            <table class="table compact">
              <thead>
                <tr>
                  <th>#</th>
                  <th>Session</th>
                  <th>Priority</th>
                  <th>Pool</th>
                  <th>Asks</th>
                  <th>Waiting</th>
                </tr>
              </thead>
              <tbody>
                {data.queue.map((q) => (
                  <tr key={q.sessionId}>
                    <td class="num">{q.position}</td>
                    <td>
                      <Link href={`/sessions/${encodeURIComponent(q.sessionId)}`}>
                        {sessions.get(q.sessionId)?.name ?? q.sessionId}
                      </Link>
                    </td>
                    <td class="num">
                      {q.priority}
                      {q.effectivePriority !== q.priority ? ` (→ ${q.effectivePriority.toFixed(1)})` : ''}
                    </td>
                    <td>{q.pool ?? 'any'}</td>
                    <td class="num">
                      {cpus(q.resources.cpus)} CPU · {megabytes(q.resources.memoryMb)} · {q.resources.gpus}{' '}
                      GPU
                    </td>
                    <td class="num">{duration(Date.now() - q.submittedAt)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </section>
      ) : null}
    </Layout>
  );
}
