/** What the HTTP layer is given: the domain services, built once by the composition root (src/app.ts). */
import type { Logger } from 'pino';
import type { EventArchive, EventHub } from '../events/index.js';
import type { Store } from '../store/index.js';

export interface Services {
  store: Store;
  logger: Logger;
  events: EventArchive;
  hub: EventHub;
  /** Public URL of this manager, as sessions and clients should reach it. */
  publicUrl: () => string;
  token: string;
}
