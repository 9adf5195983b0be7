// The fuzz suite's one import of the manager-starting test helper (with the dataset views), and its IDX file path.
import { type DatasetTestManager, withDatasetViews } from '../../src/datasets/testing/fixtures.js';
import { type TestManagerOptions, testManager } from '../../src/testing/manager.js';

export { T10K_LABELS } from '../../src/datasets/testing/fixtures.js';
export type TestManager = DatasetTestManager;

export const startTestManager = async (options: TestManagerOptions = {}): Promise<TestManager> =>
  withDatasetViews(await testManager(options));
