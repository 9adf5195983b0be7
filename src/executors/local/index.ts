/** The local executor: sessions as detached child processes of this machine. */

export { isAlive, readStat } from '../../util/proc.js';
export { type Detection, detectCgroups } from './cgroup/index.js';
export { LocalExecutor, type LocalExecutorOptions } from './executor.js';
export { LineSplitter } from './lines.js';
export { outputFile, readTail, SessionOutput } from './output.js';
export { outcome } from './wrapper.js';
