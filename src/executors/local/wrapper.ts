/**
 * The tiny `sh` wrapper every local session runs under. It keeps the command's argv intact (`"$@"`, no shell
 * parsing), survives the signals meant for the command (a caught signal is reset to default in the child), and
 * writes the command's exit status to a file: after a manager restart the process is no longer our child, so
 * that file is the only way to learn how it ended. Costs one `sh` start (~1 ms), not a second Node.
 */
import type { ExitInfo } from '../types.js';
import { signalName } from './proc.js';

/**
 * Run as `sh -c WRAPPER swarmlab EXIT_FILE CGROUP_FILES CMD ARGS…`: `$0` is what sh names in its own messages, so a
 * command that is not found is reported as `swarmlab: CMD: command not found`, not against the exit file's path.
 *
 * CGROUP_FILES is a space-separated list of `cgroup.procs` files ('' without cgroups). The wrapper writes its own pid
 * to each before it runs the command, so the command and everything it starts are born in the session's cgroup.
 * Adding the pid from the manager after spawn would race the command: what it started or allocated before would
 * escape the grant. Not getting in is a failed start (125), not a session running unenforced.
 */
export const WRAPPER = [
  'x=$1',
  'g=$2',
  'shift 2',
  'for f in $g; do',
  '  if ! echo $$ > "$f"; then',
  '    echo "swarmlab: cannot join the session cgroup ($f)" >&2',
  '    echo 125 > "$x"',
  '    exit 125',
  '  fi',
  'done',
  'if ! command -v -- "$1" >/dev/null; then',
  '  echo "swarmlab: $1: command not found (PATH=$PATH)" >&2',
  '  echo 127 > "$x"',
  '  exit 127',
  'fi',
  // Last before the command: a stop signal that arrives earlier ends the wrapper itself (and is reported as
  // such), instead of being ignored before the command exists to receive it.
  'trap : HUP INT TERM',
  '"$@"',
  's=$?',
  'echo "$s" > "$x"',
  'exit "$s"',
].join('\n');

export const SHELL = '/bin/sh';

/**
 * Maps a status to code or signal. A shell reports "killed by signal N" as 128+N, so 129–192 are read as
 * signals, as Docker and Kubernetes do; a program that itself exits 130 is thus reported as SIGINT.
 */
export function outcome(code: number | null, signal: string | null): ExitInfo {
  if (signal) return { exitCode: null, signal };
  if (code !== null && code > 128 && code <= 192) {
    const name = signalName(code - 128);
    if (name) return { exitCode: null, signal: name };
  }
  return { exitCode: code, signal: null };
}
