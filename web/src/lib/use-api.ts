/** Loads one API resource into component state, reloading when `deps` or the token change. */
import { useCallback, useEffect, useState } from 'preact/hooks';
import { api } from '../api/client.js';
import { tokenVersion } from '../api/token.js';
import { useObservable } from './observable.js';

export interface Resource<T> {
  data: T | undefined;
  error: Error | undefined;
  loading: boolean;
  reload(): void;
  set(data: T): void;
}

export function useApi<T>(path: string | undefined, deps: unknown[] = []): Resource<T> {
  const version = useObservable(tokenVersion);
  const [state, setState] = useState<{ data?: T; error?: Error; loading: boolean }>({ loading: true });
  const [nonce, setNonce] = useState(0);
  useEffect(() => {
    if (path === undefined) return;
    let live = true;
    setState((s) => ({ ...s, loading: true }));
    api<T>(path).then(
      (data) => live && setState({ data, loading: false }),
      (error: Error) => live && setState((s) => ({ ...s, error, loading: false })),
    );
    return () => {
      live = false;
    };
  }, [path, version, nonce, ...deps]);
  const reload = useCallback(() => setNonce((n) => n + 1), []);
  const set = useCallback((data: T) => setState({ data, loading: false }), []);
  return { data: state.data, error: state.error, loading: state.loading, reload, set };
}
