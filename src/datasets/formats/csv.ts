// CSV (RFC 4180) import into typed table columns, with an optional label column.

import { InvalidError } from '../../errors/index.js';
import type { Column, ImportResult, ImportSource, Utf8Column } from './columns.js';
import { utf8At } from './columns.js';
import { CsvColumn } from './csv-column.js';
import { Growable } from './grow.js';
import { forEachRecord } from './lines.js';

export interface CsvOptions {
  /** Name of the label column; default `label` when such a column exists. */
  label?: string;
  /** One-byte field separator; default `,`. */
  delimiter?: string;
  /** Column names for a file without a header row (every record is data). */
  columns?: string[];
  /** Lines to skip before the header/data, e.g. 1 for scikit-learn's `n_samples,n_features,...` line. */
  skipLines?: number;
}

const decoder = new TextDecoder();

/**
 * Imports a CSV file as kind `table`. Each column is `int32` when every field is an integer literal
 * within int32, `float64` when every field is a number or missing (empty, NA, NaN → NaN), else `utf8`.
 * A textual label column is dictionary-encoded: `int32` codes in order of first appearance, the
 * names in `meta.labelNames`. Blank lines are skipped; a record with a different field count than
 * the header is an error naming its line.
 */
export async function importCsv(source: ImportSource<CsvOptions>): Promise<ImportResult> {
  if (source.files.length !== 1) {
    throw new InvalidError(`csv import takes exactly one file, got ${source.files.length}`, {
      details: { field: 'files' },
    });
  }
  const file = source.files[0]!;
  const opts = source.options ?? {};
  const delimiter = (opts.delimiter ?? ',').charCodeAt(0);
  if (opts.delimiter !== undefined && (opts.delimiter.length !== 1 || delimiter > 127 || delimiter === 34)) {
    throw new InvalidError(`delimiter must be one ASCII character other than '"'`, {
      details: { field: 'delimiter' },
    });
  }
  const skip = opts.skipLines ?? 0;
  let columns: CsvColumn[] | null = opts.columns ? namesToColumns(opts.columns, 0) : null;
  let headerLine = 0;
  let rows = 0;
  const scratch = new Growable(Uint8Array, 1 << 10);

  await forEachRecord(
    file.body,
    (buf, start, end, line) => {
      if (line <= skip) return;
      if (start === end) return;
      if (columns === null) {
        const names: string[] = [];
        splitFields(buf, start, end, line, delimiter, scratch, (b, s, e) => {
          names.push(decoder.decode(b.subarray(s, e)));
        });
        if (names[0]?.charCodeAt(0) === 0xfeff) names[0] = names[0].slice(1);
        columns = namesToColumns(names, line);
        headerLine = line;
        return;
      }
      const cols: CsvColumn[] = columns;
      const n = splitFields(buf, start, end, line, delimiter, scratch, (b, s, e, k) => {
        cols[k]?.add(b, s, e); // extra fields are counted, then reported below
      });
      if (n !== cols.length) raggedError(line, n, cols.length);
      rows++;
    },
    { quotes: true },
  );

  const accs: CsvColumn[] = columns ?? [];
  const labelName = opts.label ?? (accs.some((c) => c.name === 'label') ? 'label' : undefined);
  if (labelName !== undefined && !accs.some((c) => c.name === labelName)) {
    throw new InvalidError(
      `label column '${labelName}' is not in the header (${accs.map((c) => c.name).join(', ')})`,
      {
        details: { field: 'label', column: labelName, line: headerLine },
      },
    );
  }
  const meta: Record<string, unknown> = { header: accs.map((c) => c.name) };
  const out: Column[] = accs.map((acc) => {
    const col = acc.finish(rows);
    if (acc.name !== labelName || col.dtype !== 'utf8') return col;
    const { codes, names } = dictionaryEncode(col);
    meta.labelNames = names;
    return { name: col.name, dtype: 'int32', shape: [rows], data: codes };
  });
  if (labelName !== undefined) meta.label = labelName;
  return { kind: 'table', columns: out, rows, meta };
}

function raggedError(line: number, actual: number, expected: number): never {
  throw new InvalidError(`line ${line}: ${actual} fields, header has ${expected}`, {
    details: { line, field: 'fields', expected, actual },
  });
}

function namesToColumns(names: string[], line: number): CsvColumn[] {
  const seen = new Map<string, number>();
  return names.map((raw, k) => {
    const name = raw === '' ? `column${k + 1}` : raw;
    const first = seen.get(name);
    if (first !== undefined) {
      throw new InvalidError(
        `line ${line}: duplicate column name '${name}' (fields ${first + 1} and ${k + 1})`,
        {
          details: { line, field: 'header', column: name },
        },
      );
    }
    seen.set(name, k);
    return new CsvColumn(name);
  });
}

/**
 * Calls `onField(buf, start, end, index)` for each field of one record; quoted fields are unescaped
 * into `scratch`. Returns the number of fields.
 */
function splitFields(
  buf: Uint8Array,
  start: number,
  end: number,
  line: number,
  delimiter: number,
  scratch: Growable<Uint8Array>,
  onField: (b: Uint8Array, s: number, e: number, k: number) => void,
): number {
  let k = 0;
  let i = start;
  for (;;) {
    if (buf[i] === 34 && i < end) {
      scratch.length = 0;
      let j = i + 1;
      for (;;) {
        const q = buf.indexOf(34, j);
        if (q < 0 || q >= end) {
          throw new InvalidError(`line ${line}, field ${k + 1}: quoted field is not closed`, {
            details: { line, field: 'quote', column: k + 1 },
          });
        }
        scratch.append(buf, j, q);
        if (buf[q + 1] === 34 && q + 1 < end) {
          scratch.append(buf, q, q + 1);
          j = q + 2;
          continue;
        }
        i = q + 1;
        break;
      }
      if (i < end && buf[i] !== delimiter) {
        throw new InvalidError(`line ${line}, field ${k + 1}: unexpected character after a closing quote`, {
          details: { line, field: 'quote', column: k + 1 },
        });
      }
      onField(scratch.view(), 0, scratch.length, k++);
    } else {
      let j = i;
      while (j < end && buf[j] !== delimiter) j++;
      onField(buf, i, j, k++);
      i = j;
    }
    if (i >= end) return k;
    i++; // past the delimiter
    if (i === end) {
      onField(buf, i, i, k++);
      return k;
    }
  }
}

/** Codes in order of first appearance, and the distinct strings. */
function dictionaryEncode(col: Utf8Column): { codes: Int32Array; names: string[] } {
  const index = new Map<string, number>();
  const names: string[] = [];
  const codes = new Int32Array(col.shape[0]);
  for (let r = 0; r < codes.length; r++) {
    const s = utf8At(col, r);
    let code = index.get(s);
    if (code === undefined) {
      code = names.length;
      index.set(s, code);
      names.push(s);
    }
    codes[r] = code;
  }
  return { codes, names };
}
