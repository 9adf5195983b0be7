/**
 * Compare: the runs picked on the sessions page (`?ids=a,b,c`), params and metrics side by side, params against a
 * chosen metric, curves overlaid.
 */
import { useMemo } from 'preact/hooks';
import { query } from '../api/client.js';
import type { Comparison } from '../api/types.js';
import { CompareCharts } from '../components/CompareCharts.js';
import { CompareParams } from '../components/CompareParams.js';
import { CompareTable } from '../components/CompareTable.js';
import { Crumbs } from '../components/Crumbs.js';
import { Layout } from '../components/Layout.js';
import { Link } from '../components/Link.js';
import { Empty, ErrorBox, Loading } from '../components/Message.js';
import { useObservable } from '../lib/observable.js';
import { currentLocation } from '../lib/router.js';
import { useApi } from '../lib/use-api.js';

const MAX_POINTS = 200;

/** Session names for headers and legends, with the id's tail added where two runs share a name. */
function labels(c: Comparison): string[] {
  const count = new Map<string, number>();
  for (const s of c.sessions) count.set(s.name, (count.get(s.name) ?? 0) + 1);
  return c.sessions.map((s) => (count.get(s.name)! > 1 ? `${s.name} ${s.id.slice(-6)}` : s.name));
}

export function ComparePage() {
  const { search } = useObservable(currentLocation);
  const ids = search.get('ids') ?? '';
  const c = useApi<Comparison>(ids ? `/api/v1/compare${query({ ids, maxPoints: MAX_POINTS })}` : undefined);
  const names = useMemo(() => (c.data ? labels(c.data) : []), [c.data]);
  return (
    <Layout title={<Crumbs trail={[['/sessions', 'Sessions']]}>Compare</Crumbs>}>
      {ids ? null : (
        <Empty>
          Tick runs in the <Link href="/sessions">sessions</Link> table, then Compare.
        </Empty>
      )}
      {c.error ? <ErrorBox error={c.error} /> : null}
      {ids && !c.data && !c.error ? <Loading /> : null}
      {c.data ? (
        <>
          <section class="card">
            <h3>Params and metrics</h3>
            <CompareTable sessions={c.data.sessions} labels={names} differing={c.data.params} />
          </section>
          <section class="card">
            <h3>Params against a metric</h3>
            <CompareParams
              sessions={c.data.sessions}
              labels={names}
              differing={c.data.params}
              picked={search.get('metric') ?? undefined}
            />
          </section>
          <section class="card">
            <h3>Curves</h3>
            <CompareCharts sessions={c.data.sessions} labels={names} />
          </section>
        </>
      ) : null}
    </Layout>
  );
}
