/** The Store contract's blob-reference cases: owners, freeing on the last unref, races between ref and unref. */
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { InvalidError, NotFoundError } from '../../errors/index.js';
import type { Store, TxOp } from '../types.js';

/** The part of the contract's harness these cases use (the harness type lives in contract.ts, which imports us). */
interface Harness {
  reopen(options: { chunkSize: number }): Promise<Store>;
  chunkCount(): Promise<number>;
}

type WithStore = (fn: (store: Store, harness: Harness) => Promise<void>) => () => Promise<void>;

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');
const ref = (digest: string, owner: string): TxOp => ({ op: 'ref', digest, owner });
const unref = (digest: string, owner: string): TxOp => ({ op: 'unref', digest, owner });

export function refCases(withStore: WithStore, chunk: number): void {
  describe('blob references', () => {
    it(
      'owners are named, listed sorted, and counted once however often they are added',
      withStore(async (store) => {
        const { digest } = await store.putBlob(randomBytes(chunk + 1), { owner: 'upload:1' });
        assert.deepEqual(await store.blobOwners(digest), ['upload:1']);
        await store.commit([ref(digest, 'generation:m/2'), ref(digest, 'dataset:d@1')]);
        await store.commit([ref(digest, 'dataset:d@1')]);
        assert.deepEqual(await store.blobOwners(digest), ['dataset:d@1', 'generation:m/2', 'upload:1']);
        const result = await store.commit([unref(digest, 'upload:1'), unref(digest, 'upload:1')]);
        assert.equal(result.freed, undefined);
        assert.deepEqual(await store.blobOwners(digest), ['dataset:d@1', 'generation:m/2']);
        assert.deepEqual(await store.blobOwners(sha256(Buffer.of(9))), []);
      }),
    );

    it(
      'the last unref frees the blob and its chunks in the same transaction',
      withStore(async (store, harness) => {
        const bytes = randomBytes(2 * chunk + 5);
        const { digest } = await store.putBlob(bytes, { owner: 'dataset:d@1' });
        await store.commit([ref(digest, 'generation:m/1')]);
        const first = await store.commit([unref(digest, 'dataset:d@1'), { op: 'put', key: 'k', value: 1 }]);
        assert.equal(first.freed, undefined);
        assert.ok((await store.statBlob(digest)) !== undefined);
        const last = await store.commit([unref(digest, 'generation:m/1')]);
        assert.deepEqual(last, { versions: {}, cursors: {}, freed: [digest] });
        assert.equal(await store.statBlob(digest), undefined);
        assert.equal(await harness.chunkCount(), 0);
        assert.deepEqual(await store.blobOwners(digest), []);
        assert.equal((await store.commit([unref(digest, 'generation:m/1')])).freed, undefined);
      }),
    );

    it(
      'a blob is freed only if unowned when the transaction ends; unowned blobs go on any unref',
      withStore(async (store) => {
        const { digest } = await store.putBlob(randomBytes(100), { owner: 'a' });
        const moved = await store.commit([unref(digest, 'a'), ref(digest, 'b')]);
        assert.equal(moved.freed, undefined);
        assert.deepEqual(await store.blobOwners(digest), ['b']);
        await store.commit([unref(digest, 'b')]);
        const loose = await store.putBlob(randomBytes(100));
        assert.deepEqual((await store.commit([unref(loose.digest, 'nobody')])).freed, [loose.digest]);
      }),
    );

    it(
      'ref of an absent blob is NotFoundError and the transaction writes nothing',
      withStore(async (store) => {
        const absent = sha256(Buffer.of(1, 2, 3));
        await assert.rejects(
          store.commit([{ op: 'put', key: 'k', value: 1 }, ref(absent, 'x')]),
          (err: unknown) => err instanceof NotFoundError && err.details.digest === absent,
        );
        assert.equal(await store.get('k'), undefined);
        assert.deepEqual(await store.blobOwners(absent), []);
        await assert.rejects(store.commit([ref(absent, 'bad owner')]), InvalidError);
        await assert.rejects(store.commit([ref('nothex', 'x')]), InvalidError);
        assert.throws(() => store.blobWriter({ owner: 'a b' }), InvalidError);
      }),
    );

    it(
      'freeing one blob keeps the chunks another blob shares; deleteBlob drops its owners; owners persist',
      withStore(async (store, harness) => {
        const shared = randomBytes(chunk);
        const a = await store.putBlob(Buffer.concat([shared, Buffer.of(1)]), { owner: 'x' });
        const b = await store.putBlob(Buffer.concat([shared, Buffer.of(2)]), { owner: 'y' });
        await store.commit([unref(a.digest, 'x')]);
        assert.equal((await store.statBlob(b.digest))?.size, chunk + 1);
        const got: Buffer[] = [];
        for await (const part of store.readBlob(b.digest)) got.push(Buffer.from(part));
        assert.ok(Buffer.concat(got).subarray(0, chunk).equals(shared));
        assert.ok(await store.deleteBlob(b.digest));
        await store.putBlob(Buffer.concat([shared, Buffer.of(2)]));
        assert.deepEqual(await store.blobOwners(b.digest), []);
        await store.commit([ref(b.digest, 'z')]);
        await store.close();
        const again = await harness.reopen({ chunkSize: chunk });
        assert.deepEqual(await again.blobOwners(b.digest), ['z']);
      }),
    );

    it(
      'beforeCommit hears the digest before the blob exists; when it fails nothing is stored',
      withStore(async (store, harness) => {
        const bytes = randomBytes(chunk + 7);
        const heard: Array<{ digest: string; present: boolean }> = [];
        const info = await store.putBlob(bytes, {
          owner: 'upload:1',
          beforeCommit: async (digest) => {
            heard.push({ digest, present: (await store.statBlob(digest)) !== undefined });
          },
        });
        assert.deepEqual(heard, [{ digest: sha256(bytes), present: false }]);
        assert.deepEqual(await store.blobOwners(info.digest), ['upload:1']);
        const other = randomBytes(chunk + 9);
        const failing = store.putBlob(other, {
          owner: 'upload:2',
          beforeCommit: async () => {
            throw new Error('cannot record');
          },
        });
        await assert.rejects(failing, /cannot record/);
        assert.equal(await store.statBlob(sha256(other)), undefined);
        assert.equal(await harness.chunkCount(), info.chunks.length);
      }),
    );

    it(
      'concurrent refs and unrefs neither free a held blob nor leak an unheld one',
      withStore(async (store, harness) => {
        const bytes = randomBytes(chunk + 3);
        const { digest } = await store.putBlob(bytes, { owner: 'seed' });
        // Each user takes a reference (uploading again if the blob was freed), reads the whole blob, drops it.
        const use = async (i: number) => {
          const owner = `user:${i}`;
          try {
            await store.commit([ref(digest, owner)]);
          } catch (err) {
            if (!(err instanceof NotFoundError)) throw err;
            await store.putBlob(bytes, { owner });
          }
          const parts: Buffer[] = [];
          for await (const part of store.readBlob(digest)) parts.push(Buffer.from(part));
          assert.ok(Buffer.concat(parts).equals(bytes), `${owner} reads the blob it holds`);
          await store.commit([unref(digest, owner)]);
        };
        await Promise.all([
          ...Array.from({ length: 24 }, (_, i) => use(i)),
          store.commit([unref(digest, 'seed')]),
        ]);
        assert.deepEqual(await store.blobOwners(digest), []);
        assert.equal(await store.statBlob(digest), undefined);
        assert.equal(await harness.chunkCount(), 0);
      }),
    );
  });
}
