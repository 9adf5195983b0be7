/** The `session.started` event: where a session runs (process id, executor, container or service). */
import type { EventPayloads, NewEvent } from '../events/index.js';
import type { ExecHandle } from '../executors/index.js';

/** `attached`: the process was found again after a manager restart rather than started. */
export const startedEvent = (sessionId: string, h: ExecHandle, attached = false): NewEvent => {
  const data: EventPayloads['session.started'] = { pid: h.pid, executor: h.executor };
  if (h.container) data.containerId = h.container;
  if (h.service) data.serviceId = h.service;
  if (attached) data.attached = true;
  return { type: 'session.started', sessionId, data };
};
