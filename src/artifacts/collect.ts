/**
 * Walks a session's output dir for the files to keep as artifacts: regular files only (symlinks are skipped, and
 * opened with O_NOFOLLOW, so nothing outside the dir is read), safe relative paths, within count and size limits.
 */
import { constants, type Dirent } from 'node:fs';
import { type FileHandle, open, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { checkArtifactPath } from '../api/index.js';

export interface CollectLimits {
  maxFiles: number;
  /** Bytes over all collected files. */
  maxTotalBytes: number;
  /** Bytes one file may have. */
  maxFileBytes: number;
}

export interface OutputFile {
  path: string;
  /** Opened already (no symlink followed); the consumer reads and closes it. */
  handle: FileHandle;
  size: number;
}

export interface Skipped {
  path: string;
  reason: string;
}

/** Relative paths of the regular files under `dir`, sorted, symlinks and special files left out. */
async function walk(dir: string, prefix: string, out: string[], skipped: Skipped[]): Promise<void> {
  let entries: Dirent[];
  try {
    entries = await readdir(join(dir, prefix), { withFileTypes: true });
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw err;
  }
  entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
  for (const e of entries) {
    const path = prefix === '' ? e.name : `${prefix}/${e.name}`;
    if (e.isDirectory()) await walk(dir, path, out, skipped);
    else if (e.isFile()) out.push(path);
    else skipped.push({ path, reason: e.isSymbolicLink() ? 'a symbolic link' : 'not a regular file' });
  }
}

/**
 * Yields the files to store, in path order, each opened; collects what was left out (with why) in `skipped`.
 * Past `maxFiles` or `maxTotalBytes` the remaining files are skipped, so one run cannot fill the store.
 */
export async function* outputFiles(
  dir: string,
  limits: CollectLimits,
  skipped: Skipped[],
): AsyncGenerator<OutputFile> {
  const paths: string[] = [];
  await walk(dir, '', paths, skipped);
  let files = 0;
  let total = 0;
  for (const path of paths) {
    try {
      checkArtifactPath(path);
    } catch (err) {
      skipped.push({ path, reason: (err as Error).message });
      continue;
    }
    let handle: FileHandle;
    try {
      // O_NONBLOCK: a FIFO put there meanwhile must not hang the open; it is refused just below.
      handle = await open(join(dir, path), constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
    } catch (err) {
      // Replaced by a symlink or removed since the walk: not ours to follow.
      skipped.push({ path, reason: (err as NodeJS.ErrnoException).code ?? String(err) });
      continue;
    }
    const stat = await handle.stat();
    const size = stat.size;
    const over = !stat.isFile()
      ? 'not a regular file'
      : size > limits.maxFileBytes
        ? `larger than the ${limits.maxFileBytes}-byte file limit`
        : files >= limits.maxFiles
          ? `over the ${limits.maxFiles}-file limit`
          : total + size > limits.maxTotalBytes
            ? `over the ${limits.maxTotalBytes}-byte total limit`
            : undefined;
    if (over) {
      await handle.close();
      skipped.push({ path, reason: over });
      continue;
    }
    files++;
    total += size;
    yield { path, handle, size };
  }
}
