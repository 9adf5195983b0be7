/** Events: the typed union, the append-only archive and the live hub with cursor resume. */
export { EVENT_LOG, EventArchive, type EventPage, type PageOptions } from './archive.js';
export { compileFilter, type Matcher } from './filter.js';
export { EventHub, type EventListener } from './hub.js';
export {
  CHANNEL_VERSION,
  type ChannelBatch,
  type ChannelDown,
  type ChannelHello,
  type ChannelItem,
  type ChannelUp,
  CloseCode,
  type CloseCodeName,
  type GpuReport,
  type HardwareReport,
  type PackedPoints,
} from './protocol.js';
export type {
  EventFilter,
  EventPayloads,
  EventType,
  MetricPoint,
  NewEvent,
  SessionState,
  SwarmEvent,
} from './types.js';
