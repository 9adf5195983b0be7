/**
 * A sweep's view kept current: read again (throttled) when one of its trials starts, reports, ends, or when a
 * session is submitted (a new trial). Sweeps have no events of their own, so while one runs a slow poll also
 * catches its own state changing (the last trial's exit comes before the sweep records it is completed), until the
 * sweep and all its trials have ended.
 */
import { useEffect, useMemo } from 'preact/hooks';
import type { SweepView } from '../api/types.js';
import { throttle } from './throttle.js';
import { type Resource, useApi } from './use-api.js';
import { useEvents } from './use-events.js';

const TYPES = ['session.submitted', 'session.started', 'session.epoch', 'session.metric', 'session.exited'];
const POLL_MS = 3000;
const ACTIVE = new Set(['queued', 'placed', 'starting', 'running']);

export function useSweepLive(id: string): Resource<SweepView> {
  const sweep = useApi<SweepView>(`/api/v1/sweeps/${encodeURIComponent(id)}`, [id]);
  const reload = useMemo(() => throttle(sweep.reload, 500), [sweep.reload]);
  // A stopped sweep's trials may still be stopping (their SDK is asked first): follow until they end too.
  const running =
    sweep.data !== undefined &&
    (sweep.data.state === 'running' || sweep.data.trials.some((t) => ACTIVE.has(t.state)));
  useEffect(() => {
    if (!running) return;
    const t = setInterval(reload, POLL_MS);
    return () => {
      clearInterval(t);
      reload.cancel();
    };
  }, [running, reload]);
  const trials = new Set(sweep.data?.trials.flatMap((t) => (t.sessionId ? [t.sessionId] : [])));
  useEvents(running ? { types: TYPES } : undefined, (e) => {
    if (e.type === 'session.submitted' || (e.sessionId !== undefined && trials.has(e.sessionId))) reload();
  });
  return sweep;
}
