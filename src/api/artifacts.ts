/** Session artifacts on the wire: the files a session produced, their listing, and the path rule every side checks. */
import { InvalidError } from '../errors/index.js';

/** A stored file of a session, addressed by its path relative to the session's output dir. */
export interface Artifact {
  /** `/`-separated, relative: `plots/loss.png`. */
  path: string;
  size: number;
  /** sha256 of the content, lowercase hex (the blob it is stored as; equal files share it). */
  digest: string;
  /** Guessed from the extension: `text/plain; charset=utf-8`, `image/png`, `application/octet-stream`… */
  contentType: string;
  /** When it was stored (ms since the epoch). */
  storedAt: number;
  /** `output`: collected from SWARMLAB_OUTPUT_DIR when the session ended; `upload`: sent by the job's SDK. */
  source: 'output' | 'upload';
}

/** `GET /api/v1/sessions/{id}/artifacts`: every artifact, by path. */
export interface ArtifactList {
  sessionId: string;
  artifacts: Artifact[];
  /** Sum of the sizes (bytes shared by equal files counted once per path). */
  totalBytes: number;
}

/**
 * `GET /api/v1/sessions/{id}/resume[?model=NAME]`: what the earlier attempts of a retried or preempted session
 * left for it to resume from. A session's own token may read it, and fetch the files from `…/resume/artifacts/PATH`.
 */
export interface ResumeInfo {
  sessionId: string;
  /** This session's attempt (the first is 1). */
  attempt: number;
  /** Earlier attempts still stored, newest first. */
  previous: string[];
  /** Each path's newest copy among the earlier attempts; `sessionId` names the attempt it is from. */
  artifacts: Array<Artifact & { sessionId: string }>;
  /** With `?model=`: that model's newest generation an earlier attempt saved, or null when none did. */
  generation?: { model: string; generation: number; sessionId: string; createdAt: number } | null;
}

/** `DELETE /api/v1/sessions/{id}`: what went with the session. */
export interface SessionDeleted {
  id: string;
  /** Archived events of the session that were removed (cursors of the rest never change). */
  events: number;
  /** Blobs freed because nothing else referenced them (an equal file of another session keeps its blob). */
  freedBlobs: number;
}

const MAX_PATH_BYTES = 512;
const MAX_SEGMENT_BYTES = 255;

/**
 * A safe artifact path: relative, `/`-separated segments, none empty, `.` or `..`, no control characters or
 * backslashes, at most 512 bytes (255 per segment). Throws InvalidError naming `field`.
 */
export function checkArtifactPath(path: unknown, field = 'path'): string {
  const fail = (why: string) =>
    new InvalidError(`${field}: ${JSON.stringify(path)} ${why}`, { details: { field, value: path } });
  if (typeof path !== 'string' || path === '') throw fail('must be a non-empty relative path');
  if (Buffer.byteLength(path) > MAX_PATH_BYTES) throw fail(`is longer than ${MAX_PATH_BYTES} bytes`);
  // biome-ignore lint/suspicious/noControlCharactersInRegex: control characters are what it refuses
  if (/[\u0000-\u001f\u007f\\]/.test(path)) throw fail('holds a control character or a backslash');
  for (const segment of path.split('/')) {
    if (segment === '' || segment === '.' || segment === '..') {
      throw fail('must be relative, without empty, "." or ".." segments');
    }
    if (Buffer.byteLength(segment) > MAX_SEGMENT_BYTES)
      throw fail(`has a segment over ${MAX_SEGMENT_BYTES} bytes`);
  }
  return path;
}
