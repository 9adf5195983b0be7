/** Events client: pages of the archive, the current cursor, and the live stream (WebSocket loaded on demand). */
import { type EventPage, paths, type SwarmEvent } from '../api/index.js';
import { type ClientOptions, clientOf, type SwarmlabClient } from './client.js';
import type { EventFollower, FollowOptions } from './events.js';

export interface EventQuery {
  /** Events after this cursor (default 0: from the start). */
  after?: number;
  session?: string;
  /** Exact types or prefixes such as `session.*`. */
  types?: string[];
  model?: string;
  limit?: number;
}

export class EventsClient {
  readonly client: SwarmlabClient;

  constructor(client: SwarmlabClient | ClientOptions = {}) {
    this.client = clientOf(client);
  }

  /** One page of archived events; pass `next` as `after` for the following one. */
  page(query: EventQuery = {}): Promise<EventPage> {
    const { types, ...rest } = query;
    return this.client.json('GET', paths.events, {
      query: { after: 0, ...rest, type: types?.join(',') },
    });
  }

  /** The cursor of the newest archived event. */
  async cursor(): Promise<number> {
    return (await this.client.json<{ cursor: number }>('GET', paths.eventsCursor)).cursor;
  }

  /** Follows the live stream (see `followEvents`), resuming from the last cursor after a drop. */
  async follow(
    options: Omit<FollowOptions, 'client' | 'url' | 'token'>,
    onEvent: (event: SwarmEvent) => void | Promise<void>,
  ): Promise<EventFollower> {
    const { followEvents } = await import('./events.js');
    return followEvents({ ...options, client: this.client }, onEvent);
  }
}
