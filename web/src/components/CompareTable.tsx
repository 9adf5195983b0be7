/** Compared runs side by side: a row per param, then per metric (last value); rows whose values differ are marked. */
import type { ComparedSession, ParamValue } from '../api/types.js';
import { num } from '../lib/format.js';
import { Link } from './Link.js';

function show(v: ParamValue | number | null | undefined): string {
  if (v === undefined) return '—';
  if (v === null) return 'NaN';
  return typeof v === 'number' ? num(v) : String(v);
}

function Row(props: { kind: 'param' | 'metric'; name: string; values: string[]; differs: boolean }) {
  return (
    <tr class={props.differs ? 'differs' : ''} data-row={`${props.kind}:${props.name}`}>
      <th scope="row" class="mono">
        {props.name}
      </th>
      {props.values.map((v, i) => (
        <td key={i} class="num">
          {v}
        </td>
      ))}
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
              values={props.sessions.map((s) => show(s.params[p]))}
              differs={differing.has(p)}
            />
          ))}
          <Group title="Metrics (last value)" columns={props.sessions.length + 1} />
          {metrics.map((m) => {
            const values = props.sessions.map((s) => show(s.metrics[m]?.last));
            return <Row key={m} kind="metric" name={m} values={values} differs={new Set(values).size > 1} />;
          })}
        </tbody>
      </table>
    </div>
  );
}
