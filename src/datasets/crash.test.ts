/** A manager killed during an upload — mid-body or mid-shard-write — keeps no trace of it after a restart. */
import assert from 'node:assert/strict';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { pino } from 'pino';
import { EventArchive } from '../events/index.js';
import { openLmdbBlobReader, openLmdbStore, type Store } from '../store/index.js';
import { testManager } from '../testing/manager.js';
import { killProcess, spawnManager } from '../testing/manager-process.js';
import { writeNpyHeader } from './formats/index.js';
import { DatasetService } from './service.js';
import { withDatasetViews } from './testing/fixtures.js';

const spawnAt = (dir: string) => spawnManager(['--data-dir', dir, '--port', '0']);

/** An .npy body of `rows` float32 rows of 1024 values, produced as it is read. */
async function* npyBody(rows: number, delayMs = 0): AsyncGenerator<Uint8Array> {
  yield writeNpyHeader('float32', [rows, 1024]);
  const chunk = new Float32Array(64 * 1024).fill(1.5);
  for (let sent = 0; sent < rows * 1024; sent += chunk.length) {
    chunk[0] = sent;
    yield new Uint8Array(chunk.buffer.slice(0));
    if (delayMs) await sleep(delayMs);
  }
}

function upload(url: string, body: AsyncIterable<Uint8Array>): Promise<unknown> {
  const it = body[Symbol.asyncIterator]();
  const stream = new ReadableStream<Uint8Array>({
    async pull(c) {
      const n = await it.next();
      if (n.done) c.close();
      else c.enqueue(n.value);
    },
  });
  return fetch(`${url}/api/v1/datasets/big/versions?format=npy`, {
    method: 'POST',
    body: stream,
    duplex: 'half',
  } as RequestInit).then(
    (r) => r.status,
    (e: unknown) => e,
  );
}

async function expectNoTrace(dir: string): Promise<void> {
  const m = withDatasetViews(await testManager({ dir }));
  try {
    assert.deepEqual(await m.datasetKeys(), []);
    assert.deepEqual(await m.blobs(), []);
    assert.equal((await fetch(`${m.url}/api/v1/datasets/big`)).status, 404);
  } finally {
    await m.close();
  }
}

describe('killed mid-upload', () => {
  const dirs: string[] = [];
  const tmp = async () => {
    const d = await mkdtemp(join(tmpdir(), 'swarmlab-crash-'));
    dirs.push(d);
    return d;
  };
  after(async () => {
    for (const d of dirs) await rm(d, { recursive: true, force: true });
  });

  it('SIGKILL while the body is still arriving', async () => {
    const dir = await tmp();
    const { child, url } = await spawnAt(dir);
    const status = upload(url, npyBody(4096, 20));
    await sleep(400);
    await killProcess(child);
    assert.notEqual(await status, 201);
    await expectNoTrace(dir);
  });

  it('SIGKILL while shards are being written', async () => {
    const dir = await tmp();
    const { child, url } = await spawnAt(dir);
    // 128 MiB: 32 shards, written after the whole body has been parsed.
    const status = upload(url, npyBody(32 * 1024));
    const reader = async () => {
      for (;;) {
        try {
          const r = openLmdbBlobReader(join(dir, 'store'));
          try {
            if (r.digests().length > 0) return;
          } finally {
            await r.close();
          }
        } catch {
          // the environment may be mid-resize; try again
        }
        await sleep(2);
      }
    };
    await reader();
    await killProcess(child);
    assert.notEqual(await status, 201, 'the import finished before the kill; the test needs a bigger body');
    await expectNoTrace(dir);
  });

  it('an import that stops between shard writes is rolled back at the next start', async () => {
    const dir = await tmp();
    const real = await openLmdbStore({ path: join(dir, 'store') });
    let writes = 0;
    let stalled!: () => void;
    const stall = new Promise<void>((res) => {
      stalled = res;
    });
    // The third shard write never returns, as if the process died there.
    const store = new Proxy(real, {
      get(target, prop, receiver) {
        if (prop === 'putBlob') {
          return (bytes: Uint8Array) => {
            if (++writes === 3) {
              stalled();
              return new Promise(() => {});
            }
            return target.putBlob(bytes);
          };
        }
        const v = Reflect.get(target, prop, receiver);
        return typeof v === 'function' ? v.bind(target) : v;
      },
    }) as Store;
    const svc = new DatasetService({
      store,
      events: new EventArchive(store),
      logger: pino({ level: 'silent' }),
      bodyLimit: 1 << 30,
    });
    void svc.push('big', { format: 'npy', files: [{ name: 'big.npy', body: npyBody(4 * 1024) }] });
    await stall;
    const pending = await real.list<{ digests: string[] }>('dataset-pending/');
    assert.equal(pending.length, 1);
    assert.equal(pending[0]!.value.digests.length, 3);
    for (const d of pending[0]!.value.digests.slice(0, 2))
      assert.ok(await real.statBlob(d), 'two shards were written');
    await real.close();
    await expectNoTrace(dir);
  });
});
