import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import type { EventPage, SessionDeleted, SessionRecord } from '../api/index.js';
import { ConflictError, InvalidError, NotFoundError, UnauthorizedError } from '../errors/index.js';
import { ArtifactsClient, SessionsClient, SwarmlabClient } from '../sdk/index.js';
import { deletingKey } from '../sessions/index.js';
import { seriesLog } from '../telemetry/index.js';
import { swarmlab } from '../testing/cli.js';
import { type TestManager, testManager } from '../testing/manager.js';
import { waitForSession } from '../testing/sessions.js';
import { uploadBlob } from './save.js';

const sha256 = (bytes: string | Uint8Array) => createHash('sha256').update(bytes).digest('hex');
/** A 1×1 PNG. */
const PNG = Buffer.from(
  '89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082',
  'hex',
);

/** A job that writes `files` (path → text, or hex with a `hex:` prefix) into its output dir, plus a symlink out. */
function writer(files: Record<string, string>): string[] {
  const script = `
    const fs = require('node:fs'), path = require('node:path');
    const dir = process.env.SWARMLAB_OUTPUT_DIR;
    for (const [name, text] of Object.entries(${JSON.stringify(files)})) {
      fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true });
      fs.writeFileSync(path.join(dir, name), text.startsWith('hex:') ? Buffer.from(text.slice(4), 'hex') : text);
    }
    fs.symlinkSync('/etc/hostname', path.join(dir, 'escape.txt'));
    console.log('wrote', Object.keys(${JSON.stringify(files)}).length);`;
  return [process.execPath, '-e', script];
}

for (const backend of ['lmdb', 'redis'] as const) {
  describe(`artifacts and session delete (${backend})`, () => {
    let t: TestManager;
    let sessions: SessionsClient;
    let artifacts: ArtifactsClient;

    before(async () => {
      t = await testManager({ redis: backend === 'redis' });
      sessions = new SessionsClient(t.client);
      artifacts = new ArtifactsClient(t.client);
    });
    after(() => t?.close());

    const run = async (files: Record<string, string>): Promise<SessionRecord> => {
      const s = await sessions.submit({ command: writer(files) });
      const done = await waitForSession(t.client, s.id, (r) => r.endedAt !== undefined, 60_000);
      assert.equal(done.state, 'succeeded');
      return done;
    };
    const eventsOf = async (after = 0): Promise<EventPage> =>
      t.client.json<EventPage>('GET', '/api/v1/events', { query: { after, limit: 5000 } });

    it('keeps the output dir as artifacts, lists them, serves them with ranges, and stores uploads', async () => {
      const s = await run({
        'notes.txt': 'hello artifacts\n',
        'plots/loss.png': `hex:${PNG.toString('hex')}`,
      });
      const list = await artifacts.list(s.id);
      assert.deepEqual(
        list.artifacts.map((a) => [a.path, a.size, a.digest, a.contentType, a.source]),
        [
          ['notes.txt', 16, sha256('hello artifacts\n'), 'text/plain; charset=utf-8', 'output'],
          ['plots/loss.png', PNG.length, sha256(PNG), 'image/png', 'output'],
        ],
        'the symlink pointing out of the dir is not followed',
      );
      assert.equal(list.totalBytes, 16 + PNG.length);

      const png = await fetch(`${t.url}/api/v1/sessions/${s.id}/artifacts/plots/loss.png`, {
        headers: t.auth,
      });
      assert.equal(png.status, 200);
      assert.equal(png.headers.get('content-type'), 'image/png');
      assert.equal(png.headers.get('x-content-type-options'), 'nosniff');
      assert.deepEqual(Buffer.from(await png.arrayBuffer()), PNG);

      const notes = `${t.url}/api/v1/sessions/${s.id}/artifacts/notes.txt`;
      const part = await fetch(notes, { headers: { ...t.auth, range: 'bytes=6-14' } });
      assert.equal(part.status, 206);
      assert.equal(part.headers.get('content-range'), 'bytes 6-14/16');
      assert.equal(await part.text(), 'artifacts');
      const tail = await fetch(notes, { headers: { ...t.auth, range: 'bytes=-3' } });
      assert.equal(await tail.text(), 'ts\n');
      const past = await fetch(notes, { headers: { ...t.auth, range: 'bytes=16-' } });
      assert.equal(past.status, 416);
      assert.equal(past.headers.get('content-range'), 'bytes */16');

      const up = await artifacts.upload(s.id, 'reports/résumé.md', Buffer.from('# done\n'));
      assert.deepEqual([up.path, up.size, up.source], ['reports/résumé.md', 7, 'upload']);
      const file = join(t.dir, 'upload.bin');
      const big = Buffer.alloc(3 * 1024 * 1024 + 17, 7);
      await writeFile(file, big);
      const streamed = await artifacts.upload(s.id, 'weights/big.bin', file);
      assert.equal(streamed.digest, sha256(big));
      const out = join(t.dir, 'down.bin');
      assert.equal(await artifacts.download(s.id, 'weights/big.bin', out), big.length);
      assert.deepEqual(await readFile(out), big);
      assert.deepEqual(
        (await artifacts.list(s.id)).artifacts.map((a) => a.path),
        ['notes.txt', 'plots/loss.png', 'reports/résumé.md', 'weights/big.bin'],
      );

      const anonymous = new ArtifactsClient(new SwarmlabClient({ url: t.url, token: 'wrong' }));
      await assert.rejects(anonymous.upload(s.id, 'x.txt', Buffer.from('x')), UnauthorizedError);
      const bad = await fetch(`${t.url}/api/v1/sessions/${s.id}/artifacts/a%5Cb`, {
        method: 'PUT',
        headers: t.auth,
        body: 'x',
      });
      assert.equal(bad.status, 400);
      await assert.rejects(artifacts.upload('s-nope', 'x.txt', Buffer.from('x')), NotFoundError);
      await assert.rejects(artifacts.list('s-nope'), NotFoundError);
      await assert.rejects(artifacts.download(s.id, 'absent.txt', out), NotFoundError);
      await assert.rejects(artifacts.upload(s.id, '/abs.txt', Buffer.from('x')), InvalidError);
    });

    it('deletes an ended session with its logs, events, metrics and artifacts; a shared blob stays', async () => {
      const a = await run({ 'same.txt': 'shared bytes', 'only-a.txt': 'mine alone' });
      const b = await run({ 'same.txt': 'shared bytes' });
      const active = await sessions.submit({
        command: [process.execPath, '-e', 'setTimeout(() => {}, 60000)'],
      });
      await assert.rejects(sessions.delete(active.id), (e: unknown) => {
        assert.ok(e instanceof ConflictError);
        assert.equal(e.details.state !== undefined, true);
        return true;
      });
      await sessions.stop(active.id);

      const store = t.manager.store;
      await store.append(seriesLog(a.id), { names: ['loss'], points: [] });
      // What other domains keep per session: a metric summary, a report stream's state, the rules' state.
      const kept = [`metric-summary/${a.id}`, `channels/${a.id}/stream-1`, `rules/sessions/${a.id}`];
      for (const key of kept) await store.put(key, { some: 'state' });
      const before = (await eventsOf()).events;
      const ofA = before.filter((e) => e.sessionId === a.id).map((e) => e.cursor);
      const others = before.filter((e) => e.sessionId !== a.id).map((e) => e.cursor);
      assert.ok(ofA.length >= 4, 'submitted, placed, starting, started, log, exited…');
      const listA = await artifacts.list(a.id);
      const shared = listA.artifacts.find((x) => x.path === 'same.txt')!.digest;
      const mine = listA.artifacts.find((x) => x.path === 'only-a.txt')!.digest;
      assert.deepEqual(await store.blobOwners(shared), [`session:${a.id}`, `session:${b.id}`].sort());

      const deleted: SessionDeleted = await sessions.delete(a.id);
      assert.deepEqual(deleted, { id: a.id, events: ofA.length, freedBlobs: 1 });
      assert.equal(await store.statBlob(mine), undefined, 'what only A held is freed');
      assert.deepEqual(await store.blobOwners(shared), [`session:${b.id}`], 'what B holds stays');
      assert.equal((await artifacts.download(b.id, 'same.txt', join(t.dir, 'same.txt'))) > 0, true);

      await assert.rejects(sessions.get(a.id), NotFoundError);
      await assert.rejects(sessions.logs(a.id), NotFoundError);
      await assert.rejects(artifacts.list(a.id), NotFoundError);
      assert.deepEqual(await store.read(`logs/${a.id}`), []);
      assert.deepEqual(await store.read(seriesLog(a.id)), []);
      for (const key of kept) assert.equal(await store.get(key), undefined, key);
      assert.equal(
        (await sessions.list({ limit: 1000 })).sessions.some((s) => s.id === a.id),
        false,
      );

      const now = (await eventsOf()).events;
      assert.equal(now.filter((e) => e.sessionId === a.id).length, 0);
      assert.deepEqual(
        now.filter((e) => others.includes(e.cursor)).map((e) => e.cursor),
        others,
        'every other event keeps its cursor',
      );
      const gone = now.find((e) => e.type === 'session.deleted');
      assert.deepEqual(gone?.data, { id: a.id, name: a.name });
      // A reader resuming inside the deleted range gets the next surviving event, numbered as before.
      const resumed = await eventsOf(ofA[0]! - 1);
      assert.equal(
        resumed.events[0]!.cursor,
        [...others, gone!.cursor].find((c) => c > ofA[0]! - 1),
      );

      await assert.rejects(sessions.delete(a.id), NotFoundError);
      const lastOfB = await sessions.delete(b.id);
      assert.equal(lastOfB.freedBlobs, 1);
      assert.equal(await store.statBlob(shared), undefined, 'freed with its last owner');
    });

    it('finishes a delete a previous manager left half-done, and refuses uploads meanwhile', async () => {
      const s = await run({ 'kept.txt': 'until the restart' });
      const { digest } = (await artifacts.list(s.id)).artifacts[0]!;
      // What the first step of a delete writes, as if the manager died right after it.
      await t.manager.store.put(deletingKey(s.id), { record: s, at: Date.now() });
      await assert.rejects(artifacts.upload(s.id, 'late.txt', Buffer.from('late')), ConflictError);
      await t.restart();
      await assert.rejects(sessions.get(s.id), NotFoundError);
      assert.equal(await t.manager.store.statBlob(digest), undefined);
      assert.equal(await t.manager.store.get(deletingKey(s.id)), undefined);
    });

    it('releases at the next start an upload a manager killed before listing it, and leaves listed ones alone', async () => {
      const s = await run({ 'listed.txt': 'kept' });
      const listed = (await artifacts.list(s.id)).artifacts[0]!.digest;
      // Phase one of a save without phase two: what a kill between the blob's commit and the listing leaves.
      const cut = await uploadBlob(
        t.manager.store,
        'cut.bin',
        (async function* () {
          yield Buffer.from(`cut off ${Date.now()}`);
        })(),
        1024,
      );
      assert.deepEqual(await t.manager.store.blobOwners(cut.info.digest), [cut.hold.owner]);
      await t.restart();
      assert.equal(await t.manager.store.statBlob(cut.info.digest), undefined);
      assert.deepEqual(await t.manager.store.blobOwners(listed), [`session:${s.id}`]);
      assert.deepEqual(await t.manager.store.list('blob-held/'), []);
      await artifacts.upload(s.id, 'after.txt', Buffer.from('a completed upload leaves no hold'));
      assert.deepEqual(await t.manager.store.list('blob-held/'), []);
    });

    if (backend === 'lmdb') {
      it('CLI: artifacts ls, artifacts get, rm', async () => {
        const s = await run({ 'cli.txt': 'from the command line\n' });
        const ls = await swarmlab(t.manager, ['artifacts', 'ls', s.id]);
        assert.equal(ls.code, 0, ls.stderr);
        assert.match(ls.stdout, /cli\.txt\s+22 B\s+text\/plain\s+output/);
        const get = await swarmlab(t.manager, ['artifacts', 'get', s.id, 'cli.txt']);
        assert.equal(get.stdout, 'from the command line\n');
        const rm = await swarmlab(t.manager, ['rm', s.id]);
        assert.equal(rm.code, 0, rm.stderr);
        assert.match(rm.stdout, new RegExp(`${s.id} deleted \\(\\d+ event\\(s\\), 1 blob\\(s\\) freed\\)`));
        const again = await swarmlab(t.manager, ['rm', s.id]);
        assert.equal(again.code, 2);
        assert.match(again.stderr, /no session/);
      });
    }
  });
}
