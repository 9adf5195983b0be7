/** Reading and writing cgroup interface files, where a missing file is an answer rather than an error. */
import { readFile, writeFile } from 'node:fs/promises';

const isMissing = (err: unknown): boolean => (err as NodeJS.ErrnoException).code === 'ENOENT';

/** The file's text, or undefined when it does not exist (a kernel without that counter, a removed cgroup). */
export async function readOptional(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
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
export async function readNumber(path: string): Promise<number | undefined> {
  const n = Number((await readOptional(path))?.trim());
  return Number.isFinite(n) ? n : undefined;
}

/** A flat keyed file (`cpu.stat`, `memory.events`, `memory.oom_control`): `key value` per line. */
export async function readKeyed(path: string): Promise<Map<string, number> | undefined> {
  const text = await readOptional(path);
  if (text === undefined) return undefined;
  const out = new Map<string, number>();
  for (const line of text.split('\n')) {
    const [key, value] = line.split(' ');
    if (key && value !== undefined) out.set(key, Number(value));
  }
  return out;
}
