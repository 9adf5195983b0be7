/** Subscribes a page to the events WebSocket while it is mounted; the handler may change between renders. */
import { useEffect, useRef } from 'preact/hooks';
import { type EventFilter, openEvents } from '../api/events.js';
import { tokenVersion } from '../api/token.js';
import type { SwarmEvent } from '../api/types.js';
import { useObservable } from './observable.js';

export function useEvents(filter: EventFilter | undefined, handler: (e: SwarmEvent) => void): void {
  const ref = useRef(handler);
  ref.current = handler;
  const version = useObservable(tokenVersion);
  const key = filter ? JSON.stringify(filter) : undefined;
  useEffect(() => {
    if (!filter) return;
    const stream = openEvents(filter, (e) => ref.current(e));
    return () => stream.close();
  }, [key, version]);
}
