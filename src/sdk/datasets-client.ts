/** Datasets client: list, inspect, push, export and delete versions (reading batches is `openDataset`). */
import {
  type DatasetList,
  type DatasetSummary,
  type ExportFormat,
  type Manifest,
  type PushResult,
  paths,
} from '../api/index.js';
import { type ClientOptions, clientOf, type SwarmlabClient } from './client.js';
import { type PushOptions, pushFiles } from './dataset-push.js';

export class DatasetsClient {
  readonly client: SwarmlabClient;

  constructor(client: SwarmlabClient | ClientOptions = {}) {
    this.client = clientOf(client);
  }

  /** Every dataset with its versions, plus where the manager's store lives. */
  list(): Promise<DatasetList> {
    return this.client.json('GET', paths.datasets);
  }

  /** One dataset's versions. */
  get(name: string): Promise<DatasetSummary> {
    return this.client.json('GET', `${paths.datasets}/${encodeURIComponent(name)}`);
  }

  manifest(name: string, version: number | 'latest' = 'latest'): Promise<Manifest> {
    return this.client.json('GET', paths.datasetVersion(name, version));
  }

  /** Pushes files (IDX: images and labels, in one multipart request) as the next version of `name`. */
  push(name: string, files: string[], options: Omit<PushOptions, keyof ClientOptions>): Promise<PushResult> {
    return pushFiles(this.client, name, files, options);
  }

  /** A version exported as libsvm text or a `.npy` file; the response body streams it. */
  export(
    name: string,
    version: number | 'latest',
    options: { format: ExportFormat; column?: string | undefined },
  ): Promise<Response> {
    return this.client.fetch('GET', `${paths.datasetVersion(name, version)}/export`, { query: options });
  }

  async delete(name: string, version: number): Promise<void> {
    await this.client.fetch('DELETE', paths.datasetVersion(name, version));
  }
}

/** Every dataset with its versions, plus where the manager's store lives. */
export const listDatasets = (client: SwarmlabClient | ClientOptions = {}): Promise<DatasetList> =>
  new DatasetsClient(client).list();

/** Pushes files (IDX: images and labels, in one multipart request) as the next version of `name`. */
export const pushDataset = (name: string, files: string[], options: PushOptions): Promise<PushResult> =>
  new DatasetsClient(options).push(name, files, options);

export const deleteDatasetVersion = (
  name: string,
  version: number,
  client: SwarmlabClient | ClientOptions = {},
): Promise<void> => new DatasetsClient(client).delete(name, version);
