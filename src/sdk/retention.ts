/** Retention client: the policy in force and what it removed so far; applying it now. */
import { paths, type RetentionRun, type RetentionStatus } from '../api/index.js';
import { type ClientOptions, clientOf, type SwarmlabClient } from './client.js';

export class RetentionClient {
  readonly client: SwarmlabClient;

  constructor(client: SwarmlabClient | ClientOptions = {}) {
    this.client = clientOf(client);
  }

  status(): Promise<RetentionStatus> {
    return this.client.json('GET', paths.retention);
  }

  /** Applies the policy pass after pass until nothing is left; what it removed. */
  run(): Promise<RetentionRun> {
    return this.client.json('POST', paths.retentionRun);
  }
}
