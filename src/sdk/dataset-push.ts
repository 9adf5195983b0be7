/** Streams dataset files to the manager: one file as the raw body, several (IDX pairs) as one multipart body. */
import { randomBytes } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { hostname, userInfo } from 'node:os';
import { basename } from 'node:path';
import { type PushResult, paths } from '../api/index.js';
import type { ClientOptions, SwarmlabClient } from './client.js';

export interface PushOptions extends ClientOptions {
  format: 'libsvm' | 'csv' | 'idx' | 'npy';
  /** CSV label column. */
  label?: string;
  /** Called as bytes go out (`sent` counts multipart framing too). */
  onProgress?: (sent: number, total: number) => void;
  signal?: AbortSignal;
}

/** Who pushed: recorded in the manifest's `createdBy`. */
export function clientIdentity(): string {
  try {
    return `${userInfo().username}@${hostname()}`;
  } catch {
    return `unknown@${hostname()}`;
  }
}

const enc = new TextEncoder();

async function* multipart(files: string[], boundary: string): AsyncGenerator<Uint8Array> {
  for (const [k, file] of files.entries()) {
    const name = basename(file).replaceAll('"', '');
    yield enc.encode(
      `--${boundary}\r\nContent-Disposition: form-data; name="file${k + 1}"; filename="${name}"\r\n` +
        'Content-Type: application/octet-stream\r\n\r\n',
    );
    yield* createReadStream(file, { highWaterMark: 1 << 20 }) as AsyncIterable<Uint8Array>;
    yield enc.encode('\r\n');
  }
  yield enc.encode(`--${boundary}--\r\n`);
}

function counted(
  source: AsyncIterable<Uint8Array>,
  total: number,
  onProgress?: (sent: number, total: number) => void,
): ReadableStream<Uint8Array> {
  const it = source[Symbol.asyncIterator]();
  let sent = 0;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      const next = await it.next();
      if (next.done) {
        controller.close();
        return;
      }
      sent += next.value.length;
      onProgress?.(sent, total);
      controller.enqueue(next.value);
    },
    async cancel() {
      await it.return?.();
    },
  });
}

export async function pushFiles(
  client: SwarmlabClient,
  name: string,
  files: string[],
  options: PushOptions,
): Promise<PushResult> {
  const sizes = await Promise.all(files.map(async (f) => (await stat(f)).size));
  const total = sizes.reduce((a, b) => a + b, 0);
  const query = {
    format: options.format,
    label: options.label,
    ...(files.length === 1 ? { filename: basename(files[0]!) } : {}),
  };
  const headers = { 'x-swarmlab-client': clientIdentity() };
  const path = paths.datasetVersions(name);
  if (files.length === 1) {
    const body = counted(
      createReadStream(files[0]!, { highWaterMark: 1 << 20 }) as AsyncIterable<Uint8Array>,
      total,
      options.onProgress,
    );
    return client.json<PushResult>('POST', path, { query, raw: body, headers, signal: options.signal });
  }
  const boundary = `swarmlab-${randomBytes(12).toString('hex')}`;
  const body = counted(multipart(files, boundary), total, options.onProgress);
  return client.json<PushResult>('POST', path, {
    query,
    raw: body,
    contentType: `multipart/form-data; boundary=${boundary}`,
    headers,
    signal: options.signal,
  });
}
