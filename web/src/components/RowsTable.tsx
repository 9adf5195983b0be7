/** Preview rows as a table; long vectors are shortened. */
import { num } from '../lib/format.js';

function cell(v: unknown): string {
  if (Array.isArray(v)) {
    const head = v.slice(0, 6).map((x) => (typeof x === 'number' ? num(x) : String(x)));
    return `[${head.join(', ')}${v.length > 6 ? `, … ${v.length} values` : ''}]`;
  }
  if (typeof v === 'number') return num(v);
  return v === null || v === undefined ? '' : String(v);
}

export function RowsTable(props: { rows: Record<string, unknown>[]; offset: number }) {
  const cols = [...new Set(props.rows.flatMap((r) => Object.keys(r)))];
  return (
    <div class="scroll-x">
      <table class="table compact" data-testid="rows-table">
        <thead>
          <tr>
            <th>#</th>
            {cols.map((c) => (
              <th key={c}>{c}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {props.rows.map((r, i) => (
            <tr key={i}>
              <td class="num muted">{props.offset + i}</td>
              {cols.map((c) => (
                <td key={c} class="num">
                  {cell(r[c])}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
