/** Events: the typed union, the append-only archive and the live hub with cursor resume. */

export type {
  EventFilter,
  EventPage,
  EventPayloads,
  EventType,
  MetricPoint,
  NewEvent,
  SessionState,
  SwarmEvent,
} from '../api/index.js';
export { EVENT_LOG, EventArchive, eventTime, type PageOptions } from './archive.js';
export { compileFilter, type Matcher } from './filter.js';
export { EventHub, type EventListener } from './hub.js';
