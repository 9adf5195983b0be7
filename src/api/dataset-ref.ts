/** Dataset names and `NAME@V` references, as the API and every client check them. */
import { InvalidError } from '../errors/index.js';

const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** Throws InvalidError unless `name` is `[a-z0-9][a-z0-9._-]{0,63}` (and has no `..`, which store keys forbid). */
export function checkDatasetName(name: string): string {
  if (!NAME.test(name) || name.includes('..')) {
    throw new InvalidError(
      `dataset name "${name}" must be 1–64 of [a-z0-9._-], start with a letter or digit, and not contain ".."`,
      { details: { field: 'name', name } },
    );
  }
  return name;
}

export function checkVersion(version: number | string, field = 'version'): number {
  const v = typeof version === 'number' ? version : /^\d{1,9}$/.test(version) ? Number(version) : Number.NaN;
  if (!Number.isSafeInteger(v) || v < 1) {
    throw new InvalidError(`${field} "${version}" is not a version number (1, 2, …)`, { details: { field } });
  }
  return v;
}

/** `name` or `name@version` → parts; `version` undefined means "latest". */
export function parseDatasetRef(ref: string): { name: string; version: number | undefined } {
  const at = ref.lastIndexOf('@');
  if (at < 0) return { name: checkDatasetName(ref), version: undefined };
  const v = ref.slice(at + 1);
  return {
    name: checkDatasetName(ref.slice(0, at)),
    version: v === '' || v === 'latest' ? undefined : checkVersion(v),
  };
}
