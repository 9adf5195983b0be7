/** Nodes client: every node's capacity, allocation and sessions, and the queue in scheduling order. */
import { type NodesResponse, paths } from '../api/index.js';
import { type ClientOptions, clientOf, type SwarmlabClient } from './client.js';

export class NodesClient {
  readonly client: SwarmlabClient;

  constructor(client: SwarmlabClient | ClientOptions = {}) {
    this.client = clientOf(client);
  }

  list(): Promise<NodesResponse> {
    return this.client.json('GET', paths.nodes);
  }
}
