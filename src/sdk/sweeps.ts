/** Sweeps client: create a sweep (search space, algorithm, trial template), list, read and stop them. */
import { paths, type SweepList, type SweepSpec, type SweepView } from '../api/index.js';
import { type ClientOptions, clientOf, type SwarmlabClient } from './client.js';

export class SweepsClient {
  readonly client: SwarmlabClient;

  constructor(client: SwarmlabClient | ClientOptions = {}) {
    this.client = clientOf(client);
  }

  /** Plans the trials and submits the first `parallelism` of them; a bad field is an InvalidError naming it. */
  create(spec: SweepSpec): Promise<SweepView> {
    return this.client.json('POST', paths.sweeps, { body: spec });
  }

  /** Newest first, without their trials. */
  list(limit?: number): Promise<SweepList> {
    return this.client.json('GET', paths.sweeps, { query: { limit } });
  }

  /** Its trials (state, params, metric, rung), the best so far and the trial-epochs consumed. */
  get(id: string): Promise<SweepView> {
    return this.client.json('GET', paths.sweep(id));
  }

  /** No new trial; its active trials are stopped (the SDK asked first). */
  stop(id: string, reason?: string): Promise<SweepView> {
    return this.client.json('POST', paths.sweepStop(id), { body: reason ? { reason } : {} });
  }
}
