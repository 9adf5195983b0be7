/** Datasets: every dataset with its latest version's kind, rows, size and columns. */

import { useMemo } from 'preact/hooks';
import type { DatasetSummary } from '../api/types.js';
import { Layout } from '../components/Layout.js';
import { Link } from '../components/Link.js';
import { Empty, ErrorBox, Loading } from '../components/Message.js';
import { bytes, dateTime, integer } from '../lib/format.js';
import { throttle } from '../lib/throttle.js';
import { useApi } from '../lib/use-api.js';
import { useEvents } from '../lib/use-events.js';

export function DatasetsPage() {
  const res = useApi<{ datasets: DatasetSummary[] }>('/api/v1/datasets');
  const refresh = useMemo(() => throttle(res.reload, 1000), [res.reload]);
  useEvents({ types: ['dataset.*'] }, refresh);
  const list = res.data?.datasets ?? [];
  return (
    <Layout title="Datasets">
      {res.error ? <ErrorBox error={res.error} /> : null}
      {!res.data && res.loading ? <Loading /> : null}
      {res.data && list.length === 0 ? (
        <Empty>
          No datasets yet. Push one with{' '}
          <code>swarmlab dataset push NAME FILES… --format idx|csv|libsvm|npy</code>.
        </Empty>
      ) : null}
      {list.length > 0 ? (
        <table class="table" data-testid="datasets-table">
          <thead>
            <tr>
              <th>Name</th>
              <th>Versions</th>
              <th>Kind</th>
              <th>Rows</th>
              <th>Size</th>
              <th>Columns</th>
              <th>Latest pushed</th>
            </tr>
          </thead>
          <tbody>
            {list.map((d) => {
              const v = d.versions.find((x) => x.version === d.latest) ?? d.versions.at(-1);
              return (
                <tr key={d.name}>
                  <td class="name">
                    <Link href={`/datasets/${encodeURIComponent(d.name)}`}>{d.name}</Link>
                  </td>
                  <td class="num">
                    {d.versions.length} <span class="muted">(latest v{d.latest})</span>
                  </td>
                  <td>{v?.kind}</td>
                  <td class="num">{v ? integer(v.rows) : '—'}</td>
                  <td class="num">{v ? bytes(v.bytes) : '—'}</td>
                  <td class="mono small">
                    {v?.columns.map((c) => `${c.name}:${c.dtype}[${c.shape.join('×')}]`).join('  ')}
                  </td>
                  <td class="num muted">{v ? dateTime(v.createdAt) : ''}</td>
                </tr>
              );
            })}
          </tbody>
        </table>
      ) : null}
    </Layout>
  );
}
