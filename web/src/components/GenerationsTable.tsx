/** A model's generations with stage badges, metrics and the buttons that move them between stages. */
import type { GenerationSummary, Stage } from '../api/types.js';
import { bytes, dateTime, num } from '../lib/format.js';
import { StateBadge } from './StateBadge.js';

export function GenerationsTable(props: {
  generations: GenerationSummary[];
  busy: boolean;
  highlight?: number;
  onStage(generation: number, stage: Exclude<Stage, 'draft'>): void;
}) {
  const names = [...new Set(props.generations.flatMap((g) => Object.keys(g.metrics)))].slice(0, 6);
  return (
    <table class="table" data-testid="generations-table">
      <thead>
        <tr>
          <th>Generation</th>
          <th>Stage</th>
          {names.map((n) => (
            <th key={n}>{n}</th>
          ))}
          <th>Format</th>
          <th>Size</th>
          <th>Saved</th>
          <th />
        </tr>
      </thead>
      <tbody>
        {[...props.generations].reverse().map((g) => (
          <tr
            key={g.generation}
            data-generation={g.generation}
            class={g.generation === props.highlight ? 'selected' : ''}
          >
            <td class="num">g{g.generation}</td>
            <td>
              <StateBadge state={g.stage} />
            </td>
            {names.map((n) => (
              <td key={n} class="num">
                {g.metrics[n] === undefined ? '' : num(g.metrics[n])}
              </td>
            ))}
            <td class="mono">{g.format}</td>
            <td class="num">{bytes(g.size)}</td>
            <td class="num muted">{dateTime(g.createdAt)}</td>
            <td class="actions">
              {g.stage !== 'production' ? (
                <button
                  type="button"
                  class="primary"
                  disabled={props.busy}
                  onClick={() => props.onStage(g.generation, 'production')}
                >
                  Promote to production
                </button>
              ) : null}
              {g.stage !== 'staging' && g.stage !== 'production' ? (
                <button
                  type="button"
                  disabled={props.busy}
                  onClick={() => props.onStage(g.generation, 'staging')}
                >
                  Stage
                </button>
              ) : null}
              {g.stage === 'staging' || g.stage === 'production' ? (
                <button
                  type="button"
                  disabled={props.busy}
                  onClick={() => props.onStage(g.generation, 'archived')}
                >
                  Archive
                </button>
              ) : null}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
