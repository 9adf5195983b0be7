/**
 * Everything live on a session page: the record, metric series, log tail and event timeline. It takes the
 * archive's cursor first, loads history up to it, and follows the events WebSocket from it; metric points and
 * log lines are then read incrementally (after the last series/log cursor), so nothing is missed or doubled.
 */
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { api, query } from '../api/client.js';
import type { LogLine, LogPage, SeriesResult, SessionRecord, SwarmEvent } from '../api/types.js';
import { MetricStore } from './metric-store.js';
import { throttle } from './throttle.js';
import { useApi } from './use-api.js';
import { useEvents } from './use-events.js';

export const MAX_POINTS = 2000;
const MAX_LOG_LINES = 2000;
const MAX_TIMELINE = 500;
/** The manager samples usage every 5 s by default. */
const USAGE_POLL_MS = 5000;
/** Event types shown on the timeline (logs and raw metric batches are too many, and have their own views). */
const TIMELINE =
  /^(session\.(submitted|placed|starting|started|epoch|connected|disconnected|demoted|stop-requested|exited)|rule\.fired|generation\.saved|model\.promoted)$/;
const RECORD_CHANGES = /^session\.(placed|starting|started|exited|demoted|stop-requested)$/;

export interface SessionLive {
  record: ReturnType<typeof useApi<SessionRecord>>;
  metrics: MetricStore;
  metricsVersion: number;
  metricsLoaded: boolean;
  logs: LogLine[];
  logsDropped: number;
  logsVersion: number;
  timeline: SwarmEvent[];
  timelineHidden: number;
}

export function useSessionLive(id: string): SessionLive {
  const record = useApi<SessionRecord>(`/api/v1/sessions/${encodeURIComponent(id)}`, [id]);
  const metrics = useMemo(() => new MetricStore(), [id]);
  const [metricsVersion, setMetricsVersion] = useState(0);
  const [metricsLoaded, setMetricsLoaded] = useState(false);
  const logs = useRef<{ lines: LogLine[]; next: number; dropped: number }>({
    lines: [],
    next: 0,
    dropped: 0,
  });
  const [logsVersion, setLogsVersion] = useState(0);
  const [timeline, setTimeline] = useState<{ events: SwarmEvent[]; hidden: number }>({
    events: [],
    hidden: 0,
  });
  const [after, setAfter] = useState<number | undefined>(undefined);
  const base = `/api/v1/sessions/${encodeURIComponent(id)}`;
  // Incremental reads wait for the first full ones (else `after=0` would read every point of a long run).
  const ready = useRef({ metrics: false, logs: false });

  const pull = useMemo(() => {
    const loadMetrics = async () => {
      if (!ready.current.metrics) return;
      // Incremental reads grow the chart; past a few budgets, read it downsampled again.
      if (metrics.shown > 4 * MAX_POINTS * Math.max(1, metrics.byStep.size)) {
        metrics.reset(await api<SeriesResult>(`${base}/metrics${query({ maxPoints: MAX_POINTS })}`));
      } else {
        metrics.append(
          await api<SeriesResult>(`${base}/metrics${query({ after: metrics.cursor, maxPoints: 0 })}`),
        );
      }
      setMetricsVersion((v) => v + 1);
    };
    const loadLogs = async () => {
      if (!ready.current.logs) return;
      const l = logs.current;
      const page = await api<LogPage>(`${base}/logs${query({ after: l.next, limit: 5000 })}`);
      l.lines.push(...page.lines);
      l.next = page.next;
      if (l.lines.length > MAX_LOG_LINES)
        l.dropped += l.lines.splice(0, l.lines.length - MAX_LOG_LINES).length;
      setLogsVersion((v) => v + 1);
    };
    return {
      metrics: throttle(() => void loadMetrics().catch(() => {}), 500),
      logs: throttle(() => void loadLogs().catch(() => {}), 300),
      record: throttle(() => record.reload(), 300),
    };
  }, [base, metrics, record.reload]);

  useEffect(() => {
    let live = true;
    ready.current = { metrics: false, logs: false };
    logs.current = { lines: [], next: 0, dropped: 0 };
    setTimeline({ events: [], hidden: 0 });
    setMetricsLoaded(false);
    (async () => {
      const { cursor } = await api<{ cursor: number }>('/api/v1/events/cursor');
      if (!live) return;
      setAfter(cursor);
      const loadSeries = api<SeriesResult>(`${base}/metrics${query({ maxPoints: MAX_POINTS })}`).then((r) => {
        if (!live) return;
        metrics.reset(r);
        ready.current.metrics = true;
        setMetricsLoaded(true);
        setMetricsVersion((v) => v + 1);
        pull.metrics();
      });
      const loadTail = api<LogPage>(`${base}/logs${query({ tail: 500 })}`).then((p) => {
        if (!live) return;
        logs.current = { lines: p.lines, next: p.next, dropped: 0 };
        ready.current.logs = true;
        setLogsVersion((v) => v + 1);
        pull.logs();
      });
      const loadTimeline = (async () => {
        const events: SwarmEvent[] = [];
        let next = 0;
        // The archive is scanned in pages; stop at the cursor the WebSocket starts from.
        for (let i = 0; i < 50 && next < cursor; i++) {
          const page = await api<{ events: SwarmEvent[]; next: number }>(
            `/api/v1/events${query({ session: id, after: next, limit: 1000 })}`,
          );
          events.push(...page.events.filter((e) => e.cursor <= cursor && TIMELINE.test(e.type)));
          if (page.next <= next) break;
          next = page.next;
        }
        if (!live) return;
        setTimeline((t) => {
          const all = [...events, ...t.events];
          const hidden = Math.max(0, all.length - MAX_TIMELINE);
          return { events: all.slice(hidden), hidden: t.hidden + hidden };
        });
      })();
      await Promise.allSettled([loadSeries, loadTail, loadTimeline]);
    })().catch(() => {});
    return () => {
      live = false;
      pull.metrics.cancel();
      pull.logs.cancel();
      pull.record.cancel();
    };
  }, [id, base, metrics, pull]);

  // Usage points are stored by the manager's sampler without an event: read them on a timer while it runs.
  const running = record.data?.state === 'running';
  useEffect(() => {
    if (!running) return;
    const t = setInterval(pull.metrics, USAGE_POLL_MS);
    return () => clearInterval(t);
  }, [running, pull]);

  useEvents(after === undefined ? undefined : { session: id, after }, (e) => {
    if (e.type === 'session.log') pull.logs();
    else if (e.type === 'session.metric' || e.type === 'session.epoch') pull.metrics();
    if (RECORD_CHANGES.test(e.type)) pull.record();
    if (e.type === 'session.exited') {
      // The last lines and points may land in the same transaction as the exit.
      pull.logs();
      pull.metrics();
    }
    if (TIMELINE.test(e.type)) {
      setTimeline((t) => {
        const all = [...t.events, e];
        const hidden = Math.max(0, all.length - MAX_TIMELINE);
        return { events: all.slice(hidden), hidden: t.hidden + hidden };
      });
    }
  });

  return {
    record,
    metrics,
    metricsVersion,
    metricsLoaded,
    logs: logs.current.lines,
    logsDropped: logs.current.dropped,
    logsVersion,
    timeline: timeline.events,
    timelineHidden: timeline.hidden,
  };
}
