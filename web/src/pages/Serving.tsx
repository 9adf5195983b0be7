/** Serving: per production model its generation, req/s, latency and batch size, from `/metrics` scrapes. */
import { useEffect, useRef, useState } from 'preact/hooks';
import { Layout } from '../components/Layout.js';
import { Link } from '../components/Link.js';
import { ErrorBox, Loading } from '../components/Message.js';
import { num } from '../lib/format.js';
import { parsePrometheus, type Sample } from '../lib/prometheus.js';
import { isServing, type ServingRow, servingRows } from '../lib/serving-stats.js';

const EVERY_MS = 5000;

export function ServingPage() {
  const [rows, setRows] = useState<ServingRow[] | undefined>(undefined);
  const [available, setAvailable] = useState<boolean | undefined>(undefined);
  const [error, setError] = useState<Error | undefined>(undefined);
  const prev = useRef<{ samples: Sample[]; at: number } | undefined>(undefined);

  useEffect(() => {
    let live = true;
    const scrape = async () => {
      try {
        const res = await fetch('/metrics');
        if (!res.ok) throw new Error(`/metrics answered ${res.status}`);
        const samples = parsePrometheus(await res.text());
        const at = Date.now();
        if (!live) return;
        const serving = samples.filter(isServing);
        setAvailable(serving.length > 0);
        const p = prev.current;
        setRows(servingRows(p?.samples, serving, p ? (at - p.at) / 1000 : 0));
        prev.current = { samples: serving, at };
        setError(undefined);
      } catch (err) {
        if (live) setError(err as Error);
      }
    };
    void scrape();
    const t = setInterval(() => void scrape(), EVERY_MS);
    return () => {
      live = false;
      clearInterval(t);
    };
  }, []);

  const fmt = (v: number | undefined, digits = 3) => (v === undefined ? '—' : num(v, digits));
  return (
    <Layout title="Serving">
      {error ? <ErrorBox error={error} /> : null}
      {available === undefined && !error ? <Loading /> : null}
      {available === false ? (
        <section class="card">
          <p data-testid="serving-unavailable">
            Serving is not available on this manager yet: <code>/metrics</code> has no{' '}
            <code>swarmlab_serving_*</code> series. Production generations are listed under{' '}
            <Link href="/models">Models</Link>; once the model server runs, each one's generation, requests
            per second, latency and batch size show here.
          </p>
        </section>
      ) : null}
      {available && rows ? (
        <table class="table" data-testid="serving-table">
          <thead>
            <tr>
              <th>Model</th>
              <th>Generation</th>
              <th>Requests/s</th>
              <th>Mean latency (ms)</th>
              <th>Mean batch size</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((r) => (
              <tr key={r.model}>
                <td>
                  <Link href={`/models/${encodeURIComponent(r.model)}`}>{r.model}</Link>
                </td>
                <td class="num">{r.generation}</td>
                <td class="num">{fmt(r.requestsPerSecond)}</td>
                <td class="num">{fmt(r.latencyMs)}</td>
                <td class="num">{fmt(r.batchSize)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : null}
      <p class="muted small">Scraped from /metrics every {EVERY_MS / 1000} s; rates need two scrapes.</p>
    </Layout>
  );
}
