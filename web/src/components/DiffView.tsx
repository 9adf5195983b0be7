/** Weight diff between two generations: a summary and the tensors that changed most. */
import { useState } from 'preact/hooks';
import { api, query } from '../api/client.js';
import type { GenerationDiff, GenerationSummary } from '../api/types.js';
import { integer, num } from '../lib/format.js';
import { ErrorBox } from './Message.js';

const pct = (v: number | null) => (v === null ? '—' : `${num(v * 100, 3)}%`);

export function DiffView(props: { model: string; generations: GenerationSummary[] }) {
  const gens = props.generations.map((g) => g.generation);
  const [a, setA] = useState(gens.at(-2) ?? gens[0] ?? 1);
  const [b, setB] = useState(gens.at(-1) ?? 1);
  const [diff, setDiff] = useState<GenerationDiff | undefined>(undefined);
  const [error, setError] = useState<Error | undefined>(undefined);
  const [busy, setBusy] = useState(false);
  const run = async () => {
    setBusy(true);
    setError(undefined);
    try {
      setDiff(
        await api<GenerationDiff>(`/api/v1/models/${encodeURIComponent(props.model)}/diff${query({ a, b })}`),
      );
    } catch (err) {
      setError(err as Error);
    } finally {
      setBusy(false);
    }
  };
  const select = (value: number, set: (v: number) => void) => (
    <select value={value} onChange={(e) => set(Number((e.target as HTMLSelectElement).value))}>
      {gens.map((g) => (
        <option key={g} value={g}>
          g{g}
        </option>
      ))}
    </select>
  );
  const top = diff
    ? [...diff.tensors].sort((x, y) => (y.relativeChange ?? -1) - (x.relativeChange ?? -1)).slice(0, 30)
    : [];
  return (
    <section class="card" data-testid="diff">
      <div class="card-head">
        <h3>Diff</h3>
        <span class="spacer" />
        {select(a, setA)} <span class="muted">→</span> {select(b, setB)}
        <button type="button" onClick={run} disabled={busy || gens.length < 1}>
          {busy ? 'Comparing…' : 'Compare'}
        </button>
      </div>
      {error ? <ErrorBox error={error} /> : null}
      {diff ? (
        <>
          <p class="summary" data-testid="diff-summary">
            g{diff.a.generation} → g{diff.b.generation}: {integer(diff.summary.changedParameters)} of{' '}
            {integer(diff.summary.parameters)} parameters changed ({pct(diff.summary.fractionChanged)}),
            relative change {pct(diff.summary.relativeChange)}, cosine{' '}
            {diff.summary.cosine === null ? '—' : num(diff.summary.cosine, 5)}; tensors{' '}
            {diff.summary.compared} compared, {diff.summary.added} added, {diff.summary.removed} removed
            {diff.summary.shapeMismatch ? `, ${diff.summary.shapeMismatch} reshaped` : ''}.
          </p>
          <div class="scroll-x">
            <table class="table compact">
              <thead>
                <tr>
                  <th>Tensor</th>
                  <th>Status</th>
                  <th>Shape</th>
                  <th>Relative change</th>
                  <th>Changed</th>
                  <th>Max |Δ|</th>
                  <th>Cosine</th>
                </tr>
              </thead>
              <tbody>
                {top.map((t) => (
                  <tr key={t.name}>
                    <td class="mono">{t.name}</td>
                    <td>{t.status}</td>
                    <td class="num">
                      [{(t.shapeA ?? t.shapeB ?? []).join('×')}]
                      {t.status === 'shape-mismatch' ? ` → [${(t.shapeB ?? []).join('×')}]` : ''}
                    </td>
                    <td class="num">{pct(t.relativeChange)}</td>
                    <td class="num">{pct(t.fractionChanged)}</td>
                    <td class="num">{t.maxAbsDiff === null ? '—' : num(t.maxAbsDiff)}</td>
                    <td class="num">{t.cosine === null ? '—' : num(t.cosine, 5)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : null}
    </section>
  );
}
