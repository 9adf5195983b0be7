/** What the `session.started` event says of where a session runs (process id, executor, container or service). */
import type { EventPayloads } from '../events/index.js';
import type { ExecHandle } from '../executors/index.js';

/** What the `session.started` event says of where the session runs. */
export const startedData = (h: ExecHandle): EventPayloads['session.started'] => {
  const data: EventPayloads['session.started'] = { pid: h.pid, executor: h.executor };
  if (h.container) data.containerId = h.container;
  if (h.service) data.serviceId = h.service;
  return data;
};
