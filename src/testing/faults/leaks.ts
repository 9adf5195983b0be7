/**
 * Blobs a crash left behind in the store, invisible through the API but never freed: held by nobody, or still by
 * an upload or import owner (those last only until their commit or rollback). Read with the manager stopped.
 */
import { owners as datasetOwners } from '../../datasets/keys.js';
import { uploadOwner } from '../../models/keys.js';
import { openStore } from '../../store/index.js';
import { storedBlobs } from '../blobs.js';

const TEMPORARY = [datasetOwners.import(''), uploadOwner('')];

export interface LeakedBlob {
  digest: string;
  owners: string[];
}

export async function leakedBlobs(dataDir: string, spec: string, prefix?: string): Promise<LeakedBlob[]> {
  const digests = await storedBlobs(dataDir, prefix);
  const store = await openStore(spec, { dataDir });
  try {
    const leaked: LeakedBlob[] = [];
    for (const digest of digests) {
      const owners = await store.blobOwners(digest);
      if (owners.length === 0 || owners.some((o) => TEMPORARY.some((t) => o.startsWith(t))))
        leaked.push({ digest, owners });
    }
    return leaked;
  } finally {
    await store.close();
  }
}
