/** Which sessions a list query keeps: project, all of its tags, and params equal to a value given as text. */
import type { ParamValue, SessionRecord } from '../sessions/index.js';

export interface SessionFilter {
  project?: string;
  /** Every one must be on the session. */
  tags?: string[];
  /** As given in the query string; compared as the session's param type (`0.0010` equals `0.001`). */
  params?: Record<string, string>;
}

export const isEmptyFilter = (f: SessionFilter): boolean =>
  f.project === undefined && !f.tags?.length && Object.keys(f.params ?? {}).length === 0;

function paramEquals(value: ParamValue | undefined, text: string): boolean {
  switch (typeof value) {
    case 'number':
      return text.trim() !== '' && Number(text) === value;
    case 'boolean':
      return text === String(value);
    case 'string':
      return text === value;
    default:
      return false;
  }
}

export function matches(r: SessionRecord, f: SessionFilter): boolean {
  if (f.project !== undefined && r.project !== f.project) return false;
  if (f.tags?.some((t) => !r.tags?.includes(t))) return false;
  return Object.entries(f.params ?? {}).every(([name, text]) => paramEquals(r.params[name], text));
}
