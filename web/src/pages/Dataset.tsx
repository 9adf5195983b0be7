/** One dataset: its versions, the chosen version's schema, size and source, and a preview of its rows. */
import { useMemo } from 'preact/hooks';
import { query } from '../api/client.js';
import type { DatasetSummary, Manifest, RowsPage } from '../api/types.js';
import { Crumbs } from '../components/Crumbs.js';
import { ImageGrid, type ImageSpec } from '../components/ImageGrid.js';
import { Layout } from '../components/Layout.js';
import { ErrorBox, Loading } from '../components/Message.js';
import { Pager } from '../components/Pager.js';
import { RowsTable } from '../components/RowsTable.js';
import { bytes, dateTime, integer } from '../lib/format.js';
import { useObservable } from '../lib/observable.js';
import { currentLocation, setSearch } from '../lib/router.js';
import { useApi } from '../lib/use-api.js';

const IMAGES = 48;
const ROWS = 25;

/** The image column of a version: uint8 (or float) shaped [N, H, W] or [N, H, W, C]. */
function imageColumn(m: Manifest): { name: string; spec: ImageSpec } | undefined {
  const c = m.columns.find((c) => (c.shape.length === 3 || c.shape.length === 4) && c.axis !== 'nnz');
  if (!c) return undefined;
  const channels = c.shape[3] ?? 1;
  if (![1, 3, 4].includes(channels)) return undefined;
  return { name: c.name, spec: { height: c.shape[1]!, width: c.shape[2]!, channels } };
}

export function DatasetPage(props: { name: string }) {
  const { search } = useObservable(currentLocation);
  const base = `/api/v1/datasets/${encodeURIComponent(props.name)}`;
  const summary = useApi<DatasetSummary>(base, [props.name]);
  const version = search.get('v') ?? 'latest';
  const offset = Number(search.get('offset') ?? 0) || 0;
  const manifest = useApi<Manifest>(`${base}/versions/${version}`, [version]);
  const m = manifest.data;
  const image = m ? imageColumn(m) : undefined;
  const limit = image ? IMAGES : ROWS;
  const rows = useApi<RowsPage>(
    m ? `${base}/versions/${m.version}/rows${query({ offset, limit })}` : undefined,
  );

  const images = useMemo(() => {
    if (!image || !rows.data) return undefined;
    const label = m?.columns.find((c) => c.name !== image.name && c.shape.length === 1)?.name;
    return {
      pixels: rows.data.rows.map((r) => (r[image.name] as number[]) ?? []),
      labels: rows.data.rows.map((r, i) => `#${offset + i}${label ? ` · ${label} ${String(r[label])}` : ''}`),
    };
  }, [rows.data, image?.name, m, offset]);

  return (
    <Layout title={<Crumbs trail={[['/datasets', 'Datasets']]}>{props.name}</Crumbs>}>
      {summary.error ? <ErrorBox error={summary.error} /> : null}
      {summary.data ? (
        <section class="card">
          <h3>Versions</h3>
          <table class="table compact" data-testid="versions-table">
            <thead>
              <tr>
                <th>Version</th>
                <th>Kind</th>
                <th>Rows</th>
                <th>Size</th>
                <th>Digest</th>
                <th>Pushed</th>
              </tr>
            </thead>
            <tbody>
              {summary.data.versions.map((v) => (
                <tr key={v.version} class={m?.version === v.version ? 'selected' : ''}>
                  <td>
                    <button type="button" class="link" onClick={() => setSearch({ v: v.version, offset: 0 })}>
                      v{v.version}
                    </button>
                    {v.version === summary.data!.latest ? <span class="tag">latest</span> : null}
                  </td>
                  <td>{v.kind}</td>
                  <td class="num">{integer(v.rows)}</td>
                  <td class="num">{bytes(v.bytes)}</td>
                  <td class="mono small muted">{v.digest.slice(0, 16)}</td>
                  <td class="num muted">{dateTime(v.createdAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </section>
      ) : null}
      {manifest.error ? <ErrorBox error={manifest.error} /> : null}
      {!m && manifest.loading ? <Loading /> : null}
      {m ? (
        <div class="grid2">
          <section class="card">
            <h3>
              Schema · v{m.version} <span class="muted small">{m.kind}</span>
            </h3>
            <table class="table compact" data-testid="schema-table">
              <thead>
                <tr>
                  <th>Column</th>
                  <th>Type</th>
                  <th>Shape</th>
                  <th>Axis</th>
                </tr>
              </thead>
              <tbody>
                {m.columns.map((c) => (
                  <tr key={c.name}>
                    <td class="mono">{c.name}</td>
                    <td class="mono">{c.dtype}</td>
                    <td class="num">[{c.shape.join(', ')}]</td>
                    <td class="muted">{c.axis}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </section>
          <section class="card">
            <h3>Version</h3>
            <table class="kv">
              <tbody>
                <tr>
                  <th>Rows</th>
                  <td class="num">{integer(m.rows)}</td>
                </tr>
                <tr>
                  <th>Size</th>
                  <td class="num">
                    {bytes(m.bytes)} in {m.shards.length} shard{m.shards.length === 1 ? '' : 's'}
                  </td>
                </tr>
                <tr>
                  <th>Source</th>
                  <td class="mono small">
                    {m.source.format}: {m.source.files.map((f) => f.name).join(', ')}
                  </td>
                </tr>
                <tr>
                  <th>Digest</th>
                  <td class="mono small">{m.digest}</td>
                </tr>
                <tr>
                  <th>Pushed</th>
                  <td>
                    {dateTime(m.createdAt)} by {m.createdBy}
                  </td>
                </tr>
              </tbody>
            </table>
          </section>
        </div>
      ) : null}
      {m ? (
        <section class="card">
          <div class="card-head">
            <h3>Preview</h3>
            <Pager offset={offset} limit={limit} total={m.rows} onPage={(o) => setSearch({ offset: o })} />
          </div>
          {rows.error ? <ErrorBox error={rows.error} /> : null}
          {!rows.data && rows.loading ? <Loading /> : null}
          {images ? <ImageGrid images={images.pixels} labels={images.labels} spec={image!.spec} /> : null}
          {rows.data && !image ? <RowsTable rows={rows.data.rows} offset={offset} /> : null}
        </section>
      ) : null}
    </Layout>
  );
}
