/**
 * Tails a session's captured stdout/stderr files into `ExecHooks.output`. The child writes to files, not pipes,
 * so output survives a manager restart; offsets of delivered lines travel with each batch so the next manager
 * resumes exactly there. One read loop per session serializes both streams, which keeps offsets consistent.
 */
import { type FSWatcher, watch } from 'node:fs';
import { type FileHandle, open } from 'node:fs/promises';
import { join } from 'node:path';
import type { ExecHooks, OutputOffsets, OutputStream } from '../types.js';
import { LineSplitter, type Split } from './lines.js';

const CHUNK = 64 * 1024;
const MAX_BATCH_LINES = 500;
const POLL_MS = 500;

export const outputFile = (dir: string, stream: OutputStream): string => join(dir, `${stream}.log`);

/** The last `maxBytes` of a captured stream ('' before anything was captured). */
export async function readTail(dir: string, stream: OutputStream, maxBytes: number): Promise<string> {
  const fh = await open(outputFile(dir, stream), 'r').catch(() => undefined);
  if (!fh) return '';
  try {
    const { size } = await fh.stat();
    const len = Math.min(size, maxBytes);
    const buf = Buffer.alloc(len);
    await fh.read(buf, 0, len, size - len);
    return buf.toString('utf8');
  } finally {
    await fh.close();
  }
}

interface Tail {
  stream: OutputStream;
  path: string;
  fh: FileHandle | undefined;
  read: number;
  splitter: LineSplitter;
}

export class SessionOutput {
  readonly #hooks: ExecHooks;
  readonly #tails: Tail[];
  readonly #buf = Buffer.allocUnsafe(CHUNK);
  #watcher: FSWatcher | undefined;
  #timer: NodeJS.Timeout | undefined;
  #running: Promise<void> | undefined;
  #again = false;
  #closed = false;

  constructor(dir: string, offsets: OutputOffsets, hooks: ExecHooks, maxLineBytes: number) {
    this.#hooks = hooks;
    this.#tails = (['stdout', 'stderr'] as const).map((stream) => ({
      stream,
      path: outputFile(dir, stream),
      fh: undefined,
      read: offsets[stream],
      splitter: new LineSplitter(maxLineBytes, offsets[stream]),
    }));
    try {
      this.#watcher = watch(dir, () => this.kick());
      this.#watcher.on('error', () => undefined);
    } catch {
      // no inotify: the poll below still delivers
    }
    this.#timer = setInterval(() => this.kick(), POLL_MS);
    this.#timer.unref();
  }

  get offsets(): OutputOffsets {
    const [out, err] = this.#tails;
    return { stdout: out!.splitter.lineStart, stderr: err!.splitter.lineStart };
  }

  /** Reads whatever is new; coalesces calls while a read is under way. */
  kick(): void {
    if (this.#closed) return;
    if (this.#running) {
      this.#again = true;
      return;
    }
    this.#running = this.#loop(false).finally(() => {
      this.#running = undefined;
      if (this.#again) {
        this.#again = false;
        this.kick();
      }
    });
    this.#running.catch(() => undefined);
  }

  /** After the process ended: delivers everything left, the unfinished last lines too, and stops. */
  async finish(): Promise<void> {
    this.#stopWatching();
    this.#closed = true;
    await this.#running?.catch(() => undefined);
    await this.#loop(true);
    await this.close();
  }

  async close(): Promise<void> {
    this.#closed = true;
    this.#stopWatching();
    for (const t of this.#tails) {
      await t.fh?.close().catch(() => undefined);
      t.fh = undefined;
    }
  }

  #stopWatching(): void {
    this.#watcher?.close();
    this.#watcher = undefined;
    clearInterval(this.#timer);
  }

  async #loop(final: boolean): Promise<void> {
    for (const t of this.#tails) {
      t.fh ??= await open(t.path, 'r').catch(() => undefined);
      if (!t.fh) continue;
      for (;;) {
        const { bytesRead } = await t.fh.read(this.#buf, 0, CHUNK, t.read);
        if (bytesRead === 0) break;
        t.read += bytesRead;
        await this.#deliver(t, t.splitter.push(this.#buf.subarray(0, bytesRead)));
      }
      if (final) await this.#deliver(t, t.splitter.flush());
    }
  }

  async #deliver(t: Tail, split: Split): Promise<void> {
    for (let i = 0; i < split.lines.length; i += MAX_BATCH_LINES) {
      const lines = split.lines.slice(i, i + MAX_BATCH_LINES);
      const end = split.ends[Math.min(i + MAX_BATCH_LINES, split.lines.length) - 1]!;
      const offsets = this.offsets;
      offsets[t.stream] = end;
      await this.#hooks.output({ stream: t.stream, lines, offsets });
    }
  }
}
