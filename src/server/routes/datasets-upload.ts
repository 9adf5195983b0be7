/**
 * Upload bodies for dataset pushes, never buffered: a raw body is the file itself; a multipart body
 * carries its files in order (IDX: images and labels), each handed to the importer as it arrives.
 */
import type { FastifyRequest } from 'fastify';
import { InvalidError, TooLargeError } from '../../errors/index.js';

export interface UploadFile {
  name: string;
  body: AsyncIterable<Uint8Array>;
}

interface Part {
  type: 'file' | 'field';
  filename?: string;
  file?: AsyncIterable<Uint8Array> & { resume(): void };
}

/** The files of a raw (single-file) upload; the name comes from `?filename=` or `x-filename`. */
export function rawUpload(
  request: FastifyRequest,
  filename: string | undefined,
  limit: number,
): UploadFile[] {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    throw new TooLargeError(
      `upload of ${declared} bytes is larger than the ${limit}-byte limit (--body-limit)`,
      {
        details: { field: 'body', limit, declared },
      },
    );
  }
  const header = request.headers['x-filename'];
  const name = filename ?? (typeof header === 'string' ? decodedName(header) : 'body');
  return [{ name, body: request.raw }];
}

/** The `x-filename` header, percent-decoded; a broken escape (`%E0%A4%A`) is the client's error, not a 500. */
function decodedName(header: string): string {
  try {
    return decodeURIComponent(header);
  } catch (cause) {
    throw new InvalidError(`x-filename: '${header}' is not valid percent-encoding`, {
      details: { field: 'x-filename' },
      cause,
    });
  }
}

/**
 * `count` files of a multipart upload, in part order. A file's name is known once its part begins, which
 * is before the importer reads it: each body fetches the next part's header when it ends.
 */
export function multipartUpload(
  request: FastifyRequest & { parts(o?: unknown): AsyncIterableIterator<Part> },
  count: number,
  format: string,
  limit: number,
): { files: UploadFile[]; finish(): Promise<void> } {
  const parts = request.parts({ limits: { fileSize: limit + 1, files: count + 1 } });
  const nextFile = async (): Promise<Part | undefined> => {
    for (;;) {
      const n = await parts.next();
      if (n.done) return undefined;
      if (n.value.type === 'file') return n.value;
    }
  };
  let upcoming: Promise<Part | undefined> | undefined;
  const names: string[] = [];
  const files: UploadFile[] = Array.from({ length: count }, (_, k) => ({
    get name() {
      return names[k] ?? `file ${k + 1}`;
    },
    body: (async function* () {
      const part = await (upcoming ?? nextFile());
      upcoming = undefined;
      if (!part) {
        throw new InvalidError(
          `a multipart ${format} upload needs ${count} file(s); file ${k + 1} is missing`,
          {
            details: { field: 'files', expected: count, actual: k },
          },
        );
      }
      names[k] = part.filename ?? `file ${k + 1}`;
      yield* part.file!;
      if (k + 1 < count) {
        upcoming = nextFile();
        names[k + 1] = (await upcoming)?.filename ?? `file ${k + 2}`;
      }
    })(),
  }));
  // The first part's header arrives before the importer starts, so the first file has its name too.
  upcoming = nextFile().then((p) => {
    if (p) names[0] = p.filename ?? 'file 1';
    return p;
  });
  upcoming.catch(() => {}); // awaited by the first body; a failure surfaces there
  return {
    files,
    async finish() {
      const extra = await nextFile();
      if (extra) {
        extra.file?.resume();
        throw new InvalidError(`a multipart ${format} upload takes ${count} file(s); got more`, {
          details: { field: 'files', expected: count },
        });
      }
    },
  };
}
