/**
 * A container's or service's log, demultiplexed (8-byte frame headers) into the session's stdout/stderr files,
 * where `SessionOutput` picks the lines up as for a local process. Reading a log again from its start skips
 * what the files already hold, so a re-attach or a final re-read neither loses nor repeats output.
 */
import { type FileHandle, open, readFile, stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type Docker from 'dockerode';
import { outputFile } from '../local/index.js';
import type { OutputOffsets, OutputStream } from '../types.js';

export interface Frame {
  stream: OutputStream;
  payload: Buffer;
}

/** Docker's multiplexed stream: [type, 0, 0, 0, size (uint32 BE)] then `size` bytes; type 1 stdout, 2 stderr. */
export class FrameParser {
  #pending: Buffer = Buffer.alloc(0);

  push(chunk: Buffer): Frame[] {
    let buf = this.#pending.length > 0 ? Buffer.concat([this.#pending, chunk]) : chunk;
    const frames: Frame[] = [];
    while (buf.length >= 8) {
      const size = buf.readUInt32BE(4);
      if (buf.length < 8 + size) break;
      const type = buf[0];
      // 0 (stdin) never carries output; 3 is the engine's own error text, kept with stderr.
      if (type !== 0)
        frames.push({ stream: type === 1 ? 'stdout' : 'stderr', payload: buf.subarray(8, 8 + size) });
      buf = buf.subarray(8 + size);
    }
    this.#pending = Buffer.from(buf);
    return frames;
  }
}

/** Sizes of the output files when the container started: output before it (an earlier start) is not its own. */
const baseFile = (dir: string): string => join(dir, 'docker-log-base.json');

const size = async (path: string): Promise<number> => (await stat(path).catch(() => undefined))?.size ?? 0;

export class LogSink {
  readonly #files: Record<OutputStream, FileHandle>;
  /** Bytes of each of the log's streams already in the files. */
  readonly #have: OutputOffsets;

  private constructor(files: Record<OutputStream, FileHandle>, have: OutputOffsets) {
    this.#files = files;
    this.#have = have;
  }

  /** `fresh`: for a container about to start; otherwise the files already hold the start of its log. */
  static async open(dir: string, fresh: boolean): Promise<LogSink> {
    const sizes = {
      stdout: await size(outputFile(dir, 'stdout')),
      stderr: await size(outputFile(dir, 'stderr')),
    };
    let base: OutputOffsets = { stdout: 0, stderr: 0 };
    if (fresh) {
      base = sizes;
      await writeFile(baseFile(dir), JSON.stringify(base));
    } else {
      base = JSON.parse(await readFile(baseFile(dir), 'utf8').catch(() => JSON.stringify(base)));
    }
    const stdout = await open(outputFile(dir, 'stdout'), 'a');
    const stderr = await open(outputFile(dir, 'stderr'), 'a').catch(async (err) => {
      await stdout.close();
      throw err;
    });
    const have = { stdout: sizes.stdout - base.stdout, stderr: sizes.stderr - base.stderr };
    return new LogSink({ stdout, stderr }, have);
  }

  /** Copies a log read from its start (a follow stream ends when the container ends, or when aborted). */
  async copy(log: AsyncIterable<Buffer> | Iterable<Buffer>): Promise<void> {
    const parser = new FrameParser();
    const seen: OutputOffsets = { stdout: 0, stderr: 0 };
    for await (const chunk of log) {
      for (const { stream, payload } of parser.push(chunk)) {
        const skip = this.#have[stream] - seen[stream];
        seen[stream] += payload.length;
        if (skip >= payload.length) continue;
        const rest = skip > 0 ? payload.subarray(skip) : payload;
        await this.#files[stream].write(rest);
        this.#have[stream] += rest.length;
      }
    }
  }

  async close(): Promise<void> {
    await this.#files.stdout.close().catch(() => undefined);
    await this.#files.stderr.close().catch(() => undefined);
  }
}

/**
 * The log of a container or service as a stream, also when not following: dockerode would buffer a whole
 * non-following log in memory, and a long session's log can be large.
 */
export function logStream(
  docker: Docker,
  kind: 'containers' | 'services',
  id: string,
  follow: boolean,
  abortSignal: AbortSignal,
): Promise<AsyncIterable<Buffer>> {
  return new Promise((resolve, reject) => {
    docker.modem.dial(
      {
        path: `/${kind}/${id}/logs?`,
        method: 'GET',
        isStream: true,
        abortSignal,
        statusCodes: { 200: true, 404: `no such ${kind.slice(0, -1)}`, 500: 'server error', 503: 'no swarm' },
        options: { follow, stdout: true, stderr: true },
      },
      (err, res) => (err ? reject(err) : resolve(res as unknown as AsyncIterable<Buffer>)),
    );
  });
}
