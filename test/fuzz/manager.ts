// The fuzz suite's one import of the manager-starting test helper (being unified into src/testing), and its IDX file path.
export { startTestManager, T10K_LABELS, type TestManager } from '../../src/datasets/testing/manager.js';
