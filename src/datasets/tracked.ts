/** Wraps uploaded files so their size and sha256 are known once the importer has read them, within a byte limit. */
import { createHash } from 'node:crypto';
import type { SourceFile } from '../api/index.js';
import { TooLargeError } from '../errors/index.js';
import type { ImportFile } from './formats/index.js';

export interface TrackedFile {
  file: ImportFile;
  /** Valid once the body has been read to its end. */
  summary(): SourceFile;
}

/** A shared budget across the files of one upload: past `limit` bytes, reading throws TooLargeError. */
export class ByteBudget {
  used = 0;
  constructor(readonly limit: number) {}

  take(n: number): void {
    this.used += n;
    if (this.used > this.limit) {
      throw new TooLargeError(`upload is larger than the ${this.limit}-byte limit (--body-limit)`, {
        details: { field: 'body', limit: this.limit },
      });
    }
  }
}

export function track(file: ImportFile, budget: ByteBudget): TrackedFile {
  const hash = createHash('sha256');
  let bytes = 0;
  async function* body(): AsyncGenerator<Uint8Array> {
    for await (const chunk of file.body) {
      budget.take(chunk.length);
      hash.update(chunk);
      bytes += chunk.length;
      yield chunk;
    }
  }
  let digest: string | undefined;
  return {
    file: { name: file.name, body: body() },
    summary: () => {
      digest ??= hash.digest('hex');
      return { name: file.name, bytes, sha256: digest };
    },
  };
}
