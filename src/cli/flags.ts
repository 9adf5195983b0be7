/** Parsing of command-line flags shared by commands: `--x a --x b`, `KEY=VALUE` pairs, typed params, JSON files. */
import { readFile } from 'node:fs/promises';
import type { ParamValue } from '../api/index.js';
import { InvalidError } from '../errors/index.js';

/** Commander's accumulator for a repeatable option. */
export const collect = (v: string, acc: string[]): string[] => [...acc, v];

/** `['a=1', 'b=x=y']` → `{a: '1', b: 'x=y'}`; undefined for none; InvalidError naming `flag` for a bad item. */
export function pairs(flag: string, list: string[] = []): Record<string, string> | undefined {
  if (list.length === 0) return undefined;
  const out: Record<string, string> = {};
  for (const item of list) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw new InvalidError(`${flag}: "${item}" is not KEY=VALUE`, { details: { field: flag } });
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

/** `--param k=v`: a number or `true`/`false` when the value reads as one (JSON), else the text as given. */
export function paramValue(text: string): ParamValue {
  if (text === 'true' || text === 'false') return text === 'true';
  // JSON's number grammar, so `1e-3` is a number but `0x10`, `1_000` and ` 5` stay strings.
  if (/^-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?$/.test(text)) {
    const n = Number(text);
    if (Number.isFinite(n)) return n;
  }
  return text;
}

/** A JSON file given with `flag`; InvalidError (one line) naming the flag and the file when unreadable or not JSON. */
export async function readJson(flag: string, file: string): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (cause) {
    const why = (cause as NodeJS.ErrnoException).code ?? String(cause);
    throw new InvalidError(`${flag}: cannot read ${file} (${why})`, { details: { field: flag }, cause });
  }
  try {
    return JSON.parse(text);
  } catch (cause) {
    throw new InvalidError(`${flag}: ${file} is not JSON (${(cause as Error).message})`, {
      details: { field: flag },
      cause,
    });
  }
}
