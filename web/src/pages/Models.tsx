/** Models: the registry as a tree, type → model → generations (the paper's Figure 1), stages coloured. */
import { useMemo } from 'preact/hooks';
import type { ModelTree } from '../api/types.js';
import { Layout } from '../components/Layout.js';
import { Link } from '../components/Link.js';
import { Empty, ErrorBox, Loading } from '../components/Message.js';
import { num } from '../lib/format.js';
import { throttle } from '../lib/throttle.js';
import { useApi } from '../lib/use-api.js';
import { useEvents } from '../lib/use-events.js';

export function ModelsPage() {
  const res = useApi<ModelTree>('/api/v1/models');
  const refresh = useMemo(() => throttle(res.reload, 1000), [res.reload]);
  useEvents({ types: ['generation.*', 'model.*'] }, refresh);
  const types = res.data?.types ?? [];
  return (
    <Layout title="Models">
      {res.error ? <ErrorBox error={res.error} /> : null}
      {!res.data && res.loading ? <Loading /> : null}
      {res.data && types.length === 0 ? (
        <Empty>No models yet. A training script saves one with the SDK's saveGeneration().</Empty>
      ) : null}
      <div class="tree" data-testid="model-tree">
        {types.map((t) => (
          <section key={t.type} class="card tree-type">
            <h3>
              <span class="muted small">type</span> {t.type}
            </h3>
            <ul class="tree-models">
              {t.models.map((m) => (
                <li key={m.name} class="tree-model">
                  <Link href={`/models/${encodeURIComponent(m.name)}`} class="tree-name">
                    {m.name}
                  </Link>
                  <span class="muted small num">
                    {m.generations.length} generation{m.generations.length === 1 ? '' : 's'}
                    {m.production !== null ? ` · production g${m.production}` : ''}
                  </span>
                  <ol class="gens">
                    {m.generations.map((g) => {
                      const metric = Object.entries(g.metrics)[0];
                      return (
                        <li key={g.generation}>
                          <Link
                            href={`/models/${encodeURIComponent(m.name)}?g=${g.generation}`}
                            class={`gen gen-${g.stage}`}
                            title={`${g.stage} · ${g.format}`}
                          >
                            <b>g{g.generation}</b>
                            <span class="small">{g.stage}</span>
                            {metric ? (
                              <span class="small muted num">{`${metric[0]} ${num(metric[1], 3)}`}</span>
                            ) : null}
                          </Link>
                        </li>
                      );
                    })}
                  </ol>
                </li>
              ))}
            </ul>
          </section>
        ))}
      </div>
    </Layout>
  );
}
