/** A small history-API router: the current path as an observable, `navigate`, and route matching. */
import { observable } from './observable.js';

export interface Location {
  path: string;
  search: URLSearchParams;
}

const read = (): Location => ({ path: location.pathname, search: new URLSearchParams(location.search) });

export const currentLocation = observable<Location>(read());

addEventListener('popstate', () => currentLocation.set(read()));

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (options.replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  currentLocation.set(read());
}

/** Sets query parameters of the current URL without adding a history entry. */
export function setSearch(params: Record<string, string | number | undefined>): void {
  const q = new URLSearchParams(location.search);
  for (const [k, v] of Object.entries(params)) {
    if (v === undefined || v === '' || v === 0) q.delete(k);
    else q.set(k, String(v));
  }
  const s = q.toString();
  navigate(`${location.pathname}${s ? `?${s}` : ''}`, { replace: true });
}

/** `/sessions/:id` against `/sessions/abc` → `{id: 'abc'}`; undefined when it does not match. */
export function match(pattern: string, path: string): Record<string, string> | undefined {
  const p = pattern.split('/').filter(Boolean);
  const s = path.split('/').filter(Boolean);
  if (p.length !== s.length) return undefined;
  const params: Record<string, string> = {};
  for (let i = 0; i < p.length; i++) {
    const seg = p[i]!;
    if (seg.startsWith(':')) params[seg.slice(1)] = decodeURIComponent(s[i]!);
    else if (seg !== s[i]) return undefined;
  }
  return params;
}
