/** The local executor: sessions as detached child processes of this machine. */
export { LocalExecutor, type LocalExecutorOptions } from './executor.js';
export { LineSplitter } from './lines.js';
export { outputFile, readTail, SessionOutput } from './output.js';
export { isAlive, readStat } from './proc.js';
export { outcome } from './wrapper.js';
