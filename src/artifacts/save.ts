/**
 * Stores one artifact: streams its bytes into a blob held by a temporary owner, then lists it on the session in
 * one transaction that hands the blob to the session's owner; a replaced file's blob is let go if unused. A crash
 * between the two leaves a hold the next start releases (see store/held.ts).
 */
import { randomUUID } from 'node:crypto';
import { type Artifact, checkArtifactPath } from '../api/index.js';
import { ConflictError, TooLargeError } from '../errors/index.js';
import { type BlobInfo, type Hold, hold, type Store, type TxOp } from '../store/index.js';
import { contentTypeOf } from './content-type.js';
import { sessionGuard } from './guard.js';
import { artifactsKey, sessionOwner, uploadOwner } from './keys.js';

/** An artifact as kept in the session's artifacts document (its path is the key). */
export type StoredArtifact = Omit<Artifact, 'path'>;

export interface ArtifactsDoc {
  files: Record<string, StoredArtifact>;
}

export interface SaveLimits {
  /** Bytes one artifact may have. */
  maxFileBytes: number;
  /** Artifacts one session may have. */
  maxFiles: number;
}

const RETRIES = 20;

/**
 * Phase one of a save: streams `body` into a blob held by a temporary owner, recorded before the blob commits so a
 * crash before phase two is undone at the next start; TooLargeError (and nothing kept) past `maxBytes`.
 */
export async function uploadBlob(
  store: Store,
  path: string,
  body: AsyncIterable<Uint8Array>,
  maxBytes: number,
): Promise<{ info: BlobInfo; hold: Hold }> {
  const id = randomUUID();
  const held = hold(store, id, uploadOwner(id));
  const writer = store.blobWriter({ owner: held.owner, beforeCommit: held.beforeCommit });
  try {
    let size = 0;
    for await (const chunk of body) {
      size += chunk.byteLength;
      if (size > maxBytes) {
        throw new TooLargeError(`artifact ${path} is larger than the ${maxBytes}-byte limit`, {
          details: { field: 'body', path, limit: maxBytes },
        });
      }
      await writer.write(chunk);
    }
    return { info: await writer.commit(), hold: held };
  } catch (err) {
    await writer.abort();
    // Only there when the blob's commit failed after the record was written: the blob is not stored.
    await held.discard();
    throw err;
  }
}

export async function saveArtifact(
  store: Store,
  limits: SaveLimits,
  sessionId: string,
  path: string,
  body: AsyncIterable<Uint8Array>,
  source: Artifact['source'],
): Promise<Artifact> {
  checkArtifactPath(path);
  // Refused before any byte is stored when the session is unknown or going away.
  await sessionGuard(store, sessionId);
  const { info, hold: upload } = await uploadBlob(store, path, body, limits.maxFileBytes);
  try {
    for (let attempt = 0; ; attempt++) {
      const guard = await sessionGuard(store, sessionId);
      const doc = await store.get<ArtifactsDoc>(artifactsKey(sessionId));
      const files = { ...doc?.value.files };
      const previous = files[path];
      if (!previous && Object.keys(files).length >= limits.maxFiles) {
        throw new TooLargeError(`session ${sessionId} already has ${limits.maxFiles} artifacts`, {
          details: { field: 'path', sessionId, limit: limits.maxFiles },
        });
      }
      const entry: StoredArtifact = {
        size: info.size,
        digest: info.digest,
        contentType: contentTypeOf(path),
        storedAt: Date.now(),
        source,
      };
      files[path] = entry;
      const owner = sessionOwner(sessionId);
      const ops: TxOp[] = [
        ...guard,
        { op: 'put', key: artifactsKey(sessionId), value: { files }, ifVersion: doc?.version ?? 0 },
        // The session owns the blob before the upload lets go, so it is never unowned in between.
        { op: 'ref', digest: info.digest, owner },
        ...upload.releaseOps(info.digest),
      ];
      const prior = previous?.digest;
      if (prior && prior !== info.digest && !Object.values(files).some((f) => f.digest === prior)) {
        ops.push({ op: 'unref', digest: prior, owner });
      }
      try {
        await store.commit(ops);
        return { path, ...entry };
      } catch (err) {
        if (!(err instanceof ConflictError) || attempt >= RETRIES) throw err;
      }
    }
  } catch (err) {
    // The listing never happened: the upload's hold goes, and the blob with it unless someone else owns it.
    await store.commit(upload.releaseOps(info.digest));
    throw err;
  }
}
