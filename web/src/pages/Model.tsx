/** One model: generations with stages and metrics, Promote buttons, the stage history, and a weight diff. */
import { useMemo, useState } from 'preact/hooks';
import { post } from '../api/client.js';
import type { HistoryPage, ModelView, Stage } from '../api/types.js';
import { Crumbs } from '../components/Crumbs.js';
import { DiffView } from '../components/DiffView.js';
import { GenerationsTable } from '../components/GenerationsTable.js';
import { Layout } from '../components/Layout.js';
import { ErrorBox, Loading } from '../components/Message.js';
import { StateBadge } from '../components/StateBadge.js';
import { dateTime } from '../lib/format.js';
import { useObservable } from '../lib/observable.js';
import { currentLocation } from '../lib/router.js';
import { throttle } from '../lib/throttle.js';
import { useApi } from '../lib/use-api.js';
import { useEvents } from '../lib/use-events.js';

export function ModelPage(props: { name: string }) {
  const { search } = useObservable(currentLocation);
  const base = `/api/v1/models/${encodeURIComponent(props.name)}`;
  const model = useApi<ModelView>(base, [props.name]);
  const history = useApi<HistoryPage>(`${base}/history?limit=1000`, [props.name]);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<Error | undefined>(undefined);
  const refresh = useMemo(
    () =>
      throttle(() => {
        model.reload();
        history.reload();
      }, 500),
    [model.reload, history.reload],
  );
  useEvents({ types: ['generation.*', 'model.*'] }, (e) => {
    if (e.model === props.name || (e.data as { model?: string }).model === props.name) refresh();
  });

  const setStage = async (generation: number, stage: Exclude<Stage, 'draft'>) => {
    setBusy(true);
    setError(undefined);
    try {
      await post(`${base}/generations/${generation}/stage`, { stage, reason: 'from the dashboard' });
      model.reload();
      history.reload();
    } catch (err) {
      setError(err as Error);
    } finally {
      setBusy(false);
    }
  };

  const m = model.data;
  const entries = [...(history.data?.entries ?? [])].reverse();
  return (
    <Layout title={<Crumbs trail={[['/models', 'Models']]}>{props.name}</Crumbs>}>
      {model.error ? <ErrorBox error={model.error} /> : null}
      {error ? <ErrorBox error={error} /> : null}
      {!m && model.loading ? <Loading /> : null}
      {m ? (
        <>
          <div class="session-head">
            <span class="tag">{m.type}</span>
            <span>
              production <b class="num">{m.production === null ? '—' : `g${m.production}`}</b>
            </span>
            <span>
              staging <b class="num">{m.staging === null ? '—' : `g${m.staging}`}</b>
            </span>
            <span class="muted">updated {dateTime(m.updatedAt)}</span>
          </div>
          <section class="card">
            <h3>Generations</h3>
            <GenerationsTable
              generations={m.generationList}
              busy={busy}
              highlight={Number(search.get('g')) || undefined}
              onStage={setStage}
            />
          </section>
          <div class="grid2">
            <section class="card">
              <h3>Stage history</h3>
              {entries.length === 0 ? <p class="muted small">No stage changes yet.</p> : null}
              <ol class="timeline history" data-testid="stage-history">
                {entries.map((h) => (
                  <li key={h.cursor} class={h.to === 'production' || h.from === 'production' ? 'prod' : ''}>
                    <span class="num muted">{dateTime(h.time)}</span>
                    <span class="num">g{h.generation}</span>
                    <span>
                      {h.from ? <StateBadge state={h.from} /> : <span class="muted">new</span>} →{' '}
                      <StateBadge state={h.to} />
                      {h.reason ? <span class="muted small"> {h.reason}</span> : null}
                    </span>
                  </li>
                ))}
              </ol>
            </section>
            <DiffView model={m.name} generations={m.generationList} />
          </div>
        </>
      ) : null}
    </Layout>
  );
}
