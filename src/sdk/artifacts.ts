/** Artifacts client: list a session's artifacts, download one (streamed to a file), upload a file or bytes. */
import { createHash } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import type { ReadableStream } from 'node:stream/web';
import { type Artifact, type ArtifactList, checkArtifactPath, paths, type ResumeInfo } from '../api/index.js';
import { CorruptError } from '../errors/index.js';
import { type ClientOptions, clientOf, type SwarmlabClient } from './client.js';

export class ArtifactsClient {
  readonly client: SwarmlabClient;

  constructor(client: SwarmlabClient | ClientOptions = {}) {
    this.client = clientOf(client);
  }

  list(sessionId: string): Promise<ArtifactList> {
    return this.client.json('GET', paths.sessionArtifacts(sessionId));
  }

  /**
   * Stores `source` (a file on disk, streamed, or bytes) as the session's artifact `path`, replacing one stored
   * there. Needs the manager token (a job has it in SWARMLAB_TOKEN).
   */
  async upload(sessionId: string, path: string, source: string | Uint8Array): Promise<Artifact> {
    checkArtifactPath(path);
    const raw =
      typeof source === 'string'
        ? (Readable.toWeb(createReadStream(source)) as unknown as RequestInit['body'])
        : source;
    return this.client.json('PUT', paths.sessionArtifact(sessionId, path), { raw });
  }

  /**
   * Writes the artifact to `to` — a file path, or a stream left open (stdout) — streamed and checked against its
   * digest; returns the byte count.
   */
  download(sessionId: string, path: string, to: string | NodeJS.WritableStream): Promise<number> {
    return this.#download(sessionId, path, paths.sessionArtifact(sessionId, checkArtifactPath(path)), to);
  }

  /** What the earlier attempts of a retried or preempted session left (`?model=`: and its newest generation). */
  resume(sessionId: string, model?: string): Promise<ResumeInfo> {
    return this.client.json('GET', paths.sessionResume(sessionId), { query: { model } });
  }

  /** `download` of the newest earlier attempt's copy of `path` (a session's own token may). */
  downloadResumed(sessionId: string, path: string, to: string | NodeJS.WritableStream): Promise<number> {
    return this.#download(
      sessionId,
      path,
      paths.sessionResumeArtifact(sessionId, checkArtifactPath(path)),
      to,
    );
  }

  async #download(
    sessionId: string,
    path: string,
    urlPath: string,
    to: string | NodeJS.WritableStream,
  ): Promise<number> {
    const res = await this.client.fetch('GET', urlPath);
    const digest = res.headers.get('etag')?.replaceAll('"', '');
    const body = Readable.fromWeb(res.body as ReadableStream<Uint8Array>);
    const hash = createHash('sha256');
    let size = 0;
    body.on('data', (chunk: Uint8Array) => {
      hash.update(chunk);
      size += chunk.length;
    });
    if (typeof to === 'string') await pipeline(body, createWriteStream(to));
    else await pipeline(body, to, { end: false });
    if (digest !== undefined && hash.digest('hex') !== digest) {
      throw new CorruptError(`artifact ${path}: downloaded bytes do not match their sha256`, {
        details: { sessionId, path },
      });
    }
    return size;
  }
}
