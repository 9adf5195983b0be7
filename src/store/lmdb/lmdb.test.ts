/** Runs the Store contract against LMDB in a fresh temp dir per test, plus LMDB-specific checks. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { open } from 'lmdb';
import { type StoreHarness, storeContract } from '../testing/contract.js';
import { openLmdbStore } from './index.js';

/** Raw access to the env beside the store (lmdb-js shares one native env per path within a process). */
async function withRaw<T>(path: string, fn: (chunks: ReturnType<typeof openChunks>) => T): Promise<T> {
  const root = open({ path, maxDbs: 16 });
  try {
    return fn(openChunks(root));
  } finally {
    await root.close();
  }
}
const openChunks = (root: ReturnType<typeof open>) =>
  root.openDB<Buffer, Buffer>({ name: 'chunks', encoding: 'binary', keyEncoding: 'binary' });

async function lmdbHarness(): Promise<StoreHarness> {
  const path = await mkdtemp(join(tmpdir(), 'swarmlab-store-'));
  return {
    open: ({ chunkSize }) => openLmdbStore({ path, chunkSize }),
    reopen: ({ chunkSize }) => openLmdbStore({ path, chunkSize }),
    chunkCount: () => withRaw(path, (chunks) => chunks.getKeysCount()),
    corruptChunk: async (sha, bytes) => {
      await withRaw(path, (chunks) => chunks.putSync(Buffer.from(sha, 'hex'), Buffer.from(bytes)));
      // lmdb-js keeps a read snapshot until the next timer tick; the store sees foreign writes after it.
      await new Promise((resolve) => setTimeout(resolve, 1));
    },
    cleanup: () => rm(path, { recursive: true, force: true }),
  };
}

storeContract('lmdb', lmdbHarness);

describe('lmdb store', () => {
  it("visitBlob hands out views of the memory map for chunks past lmdb-js's 16 MiB copy buffer", async () => {
    const path = await mkdtemp(join(tmpdir(), 'swarmlab-store-'));
    const chunkSize = 17 * 1024 * 1024;
    const store = await openLmdbStore({ path, chunkSize });
    try {
      const bytes = randomBytes(chunkSize);
      const info = await store.putBlob(bytes);
      const views: Uint8Array[] = [];
      await store.visitBlob(info.digest, (chunk) => views.push(chunk));
      // lmdb-js copies smaller values to offset 0 of its reusable buffer; a map view sits past a page header.
      assert.equal(views.length, 1);
      assert.ok(views[0]!.byteOffset > 0, `byteOffset ${views[0]!.byteOffset}`);
      assert.ok(views[0]!.buffer.byteLength > chunkSize);
      assert.ok(Buffer.from(views[0]!).equals(bytes));
    } finally {
      await store.close();
      await rm(path, { recursive: true, force: true });
    }
  });

  it('creates the directory and rejects a bad chunk size', async () => {
    const path = join(await mkdtemp(join(tmpdir(), 'swarmlab-store-')), 'nested', 'store');
    try {
      const store = await openLmdbStore({ path });
      await store.put('k', 1);
      await store.close();
      await assert.rejects(openLmdbStore({ path, chunkSize: 10 }), /chunkSize/);
    } finally {
      await rm(join(path, '..', '..'), { recursive: true, force: true });
    }
  });
});
