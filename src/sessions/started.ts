/** A session becoming `running`: its record's fields, and the `session.started` event (where it runs). */
import type { EventPayloads, NewEvent } from '../events/index.js';
import type { ExecHandle } from '../executors/index.js';
import type { SessionRecord } from './types.js';

/** The record's fields once running; boot time counts from submit, so queueing and image pulls are in it. */
export const runningPatch = (
  cur: SessionRecord,
  handle: ExecHandle,
  now = Date.now(),
): Partial<SessionRecord> => ({
  handle,
  startedAt: now,
  bootMs: Math.max(0, now - cur.createdAt),
});

/** `attached`: the process was found again after a manager restart rather than started. */
export const startedEvent = (sessionId: string, h: ExecHandle, attached = false): NewEvent => {
  const data: EventPayloads['session.started'] = { pid: h.pid, executor: h.executor };
  if (h.container) data.containerId = h.container;
  if (h.service) data.serviceId = h.service;
  if (attached) data.attached = true;
  return { type: 'session.started', sessionId, data };
};
