/**
 * Compared runs side by side: a row per param, then per metric (last value); rows whose values differ are marked,
 * and in a metric row the best value (lowest loss, highest accuracy: see metric-goal) is singled out.
 */
import type { ComparedSession } from '../api/types.js';
import { valueText } from '../lib/format.js';
import { bestIndexes, goalOf } from '../lib/metric-goal.js';
import { Link } from './Link.js';

const BEST = { min: 'best (lowest)', max: 'best (highest)' };

function Row(props: {
  kind: 'param' | 'metric';
  name: string;
  values: string[];
  differs: boolean;
  best?: { at: Set<number>; title: string };
}) {
  return (
    <tr class={props.differs ? 'differs' : ''} data-row={`${props.kind}:${props.name}`}>
      <th scope="row" class="mono">
        {props.name}
      </th>
      {props.values.map((v, i) => {
        const best = props.best?.at.has(i);
        return (
          <td key={i} class={best ? 'num best' : 'num'} title={best ? props.best!.title : undefined}>
            {v}
          </td>
        );
      })}
    </tr>
  );
}

function Group(props: { title: string; columns: number }) {
  return (
    <tr class="group">
      <th colSpan={props.columns}>{props.title}</th>
    </tr>
  );
}

function MetricRow(props: { sessions: ComparedSession[]; name: string }) {
  const last = props.sessions.map((s) => s.metrics[props.name]?.last);
  const values = last.map(valueText);
  const goal = goalOf(props.name);
  return (
    <Row
      kind="metric"
      name={props.name}
      values={values}
      differs={new Set(values).size > 1}
      best={goal ? { at: bestIndexes(last, goal), title: BEST[goal] } : undefined}
    />
  );
}

/** `labels[i]` names `sessions[i]`; `differing` is the server's list of params whose values differ. */
export function CompareTable(props: { sessions: ComparedSession[]; labels: string[]; differing: string[] }) {
  const differing = new Set(props.differing);
  const params = [...new Set(props.sessions.flatMap((s) => Object.keys(s.params)))].sort();
  const metrics = [...new Set(props.sessions.flatMap((s) => Object.keys(s.metrics)))].sort();
  return (
    <div class="scroll-x">
      <table class="table compact compare-table" data-testid="compare-table">
        <thead>
          <tr>
            <th />
            {props.sessions.map((s, i) => (
              <th key={s.id}>
                <Link href={`/sessions/${encodeURIComponent(s.id)}`}>{props.labels[i]}</Link>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          <Group title="Params" columns={props.sessions.length + 1} />
          {params.map((p) => (
            <Row
              key={p}
              kind="param"
              name={p}
              values={props.sessions.map((s) => valueText(s.params[p]))}
              differs={differing.has(p)}
            />
          ))}
          <Group title="Metrics (last value)" columns={props.sessions.length + 1} />
          {metrics.map((m) => (
            <MetricRow key={m} sessions={props.sessions} name={m} />
          ))}
        </tbody>
      </table>
    </div>
  );
}
