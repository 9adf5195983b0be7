/**
 * Reading and writing cgroup interface files, where a missing file is an answer rather than an error. Reads are
 * synchronous: the kernel answers from memory in microseconds, less than one thread-pool round trip, and the usage
 * sampler reads a few files per running session on every tick.
 */
import { readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';

const isMissing = (err: unknown): boolean => (err as NodeJS.ErrnoException).code === 'ENOENT';

/** The file's text, or undefined when it does not exist (a kernel without that counter, a removed cgroup). */
export function readOptional(path: string): string | undefined {
  try {
    return readFileSync(path, 'utf8');
  } catch (err) {
    if (isMissing(err)) return undefined;
    throw err;
  }
}

/** Writes a setting the kernel may not offer (swap limits exist only with swap accounting). */
export async function writeOptional(path: string, value: string): Promise<void> {
  try {
    await writeFile(path, value);
  } catch (err) {
    if (!isMissing(err)) throw err;
  }
}

/** A number file (`memory.peak`, `cpuacct.usage`); undefined when missing or not a number. */
export function readNumber(path: string): number | undefined {
  const n = Number(readOptional(path)?.trim());
  return Number.isFinite(n) ? n : undefined;
}

/** A flat keyed file (`cpu.stat`, `memory.events`, `memory.oom_control`): `key value` per line. */
export function readKeyed(path: string): Map<string, number> | undefined {
  const text = readOptional(path);
  if (text === undefined) return undefined;
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [key, value] = line.split(' ');
    if (key && value !== undefined) out.set(key, Number(value));
  }
  return out;
}
