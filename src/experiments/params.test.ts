// Session params, tags and project through the real API: validation, what the job sees, immutability, retries.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { ConflictError, InvalidError } from '../errors/index.js';
import { SessionsClient, session } from '../sdk/index.js';
import { sessionKey } from '../sessions/index.js';
import { specOf } from '../sessions/submit.js';
import { type TestManager, testManager } from '../testing/manager.js';
import { waitForSession } from '../testing/sessions.js';

const ended = (s: { state: string }) =>
  ['succeeded', 'failed', 'stopped', 'rejected', 'lost'].includes(s.state);

describe('session params, tags and project', () => {
  let t: TestManager;
  let sessions: SessionsClient;
  before(async () => {
    t = await testManager();
    sessions = new SessionsClient(t.client);
  });
  after(() => t?.close());

  it('records them and hands them to the job as environment variables', async () => {
    const print =
      "for (const k of Object.keys(process.env).filter((k) => /^SWARMLAB_(PARAM|PROJECT|TAGS)/.test(k)).sort()) console.log(k + '=' + process.env[k])";
    const s = await sessions.submit({
      command: [process.execPath, '-e', print],
      params: { lr: 0.001, 'opt.beta-1': 0.9, arch: 'resnet', aug: true },
      tags: ['baseline', 'v1'],
      project: 'fashion',
    });
    assert.deepEqual(s.params, { lr: 0.001, 'opt.beta-1': 0.9, arch: 'resnet', aug: true });
    assert.deepEqual([s.tags, s.project], [['baseline', 'v1'], 'fashion']);
    const done = await waitForSession(t.client, s.id, ended);
    assert.equal(done.state, 'succeeded');
    const lines = (await sessions.logs(s.id)).lines.map((l) => l.line);
    assert.deepEqual(lines, [
      'SWARMLAB_PARAMS={"lr":0.001,"opt.beta-1":0.9,"arch":"resnet","aug":true}',
      'SWARMLAB_PARAM_ARCH=resnet',
      'SWARMLAB_PARAM_AUG=true',
      'SWARMLAB_PARAM_LR=0.001',
      'SWARMLAB_PARAM_OPT_BETA_1=0.9',
      'SWARMLAB_PROJECT=fashion',
      'SWARMLAB_TAGS=baseline,v1',
    ]);
  });

  it('defaults to no params, and refuses bad ones naming the field', async () => {
    const plain = await waitForSession(
      t.client,
      (await sessions.submit({ command: [process.execPath, '-e', '0'] })).id,
      ended,
    );
    assert.deepEqual(plain.params, {});
    assert.equal(plain.tags, undefined);
    // A record stored before sessions had params reads as having none.
    const { params: _, ...old } = plain;
    await t.manager.store.put(sessionKey('s-old'), { ...old, id: 's-old' });
    assert.deepEqual((await sessions.get('s-old')).params, {});
    const refused = async (body: Record<string, unknown>, field: string) => {
      const raw = JSON.stringify({ command: ['true'], ...body }).replace('"INF"', '1e999');
      const res = await fetch(`${t.url}/api/v1/sessions`, {
        method: 'POST',
        headers: { ...t.auth, 'content-type': 'application/json' },
        body: raw,
      });
      const answer = (await res.json()) as { error: { code: string; details: { field: string } } };
      assert.equal(res.status, 400, JSON.stringify(answer));
      assert.equal(answer.error.details.field, field);
    };
    await refused({ params: { '1lr': 1 } }, 'params.1lr');
    await refused({ params: { lr: 'x'.repeat(1025) } }, 'params.lr');
    await refused({ params: { lr: 'INF' } }, 'params.lr');
    await refused({ params: { lr: null } }, 'params.lr');
    await refused(
      { params: Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`p${i}`, i])) },
      'params',
    );
    await refused({ tags: ['ok', 'not ok'] }, 'tags.1');
    await refused({ tags: Array.from({ length: 33 }, (_, i) => `t${i}`) }, 'tags');
    await refused({ project: 'a/b' }, 'project');
  });

  it('lets the job add params, never change one (409 naming it), and repeats only submitted ones on retry', async () => {
    const s = await sessions.submit({ command: [process.execPath, '-e', '0'], params: { lr: 0.001 } });
    // Ended first, so no process is left running when the manager closes; params may be added after the end.
    await waitForSession(t.client, s.id, ended);
    const added = await sessions.addParams(s.id, { batch: 64, gpu: 'A100' });
    assert.deepEqual(added.params, { lr: 0.001, batch: 64, gpu: 'A100' });
    assert.deepEqual(added.addedParams, ['batch', 'gpu']);
    // The same values again: fine, nothing changes.
    assert.deepEqual((await sessions.addParams(s.id, { lr: 0.001, batch: 64 })).params, added.params);
    await assert.rejects(
      sessions.addParams(s.id, { lr: 0.1 }),
      (err: ConflictError) => err instanceof ConflictError && err.details.field === 'params.lr',
    );
    await assert.rejects(
      sessions.addParams(s.id, { gpu: 'H100', other: 1 }),
      (err: ConflictError) => err instanceof ConflictError && err.details.field === 'params.gpu',
    );
    await assert.rejects(
      sessions.addParams(s.id, { 'bad name': 1 }),
      (err: InvalidError) => err instanceof InvalidError && err.details.field === 'params.bad name',
    );
    // Like reports, what a job sends needs the manager token even on loopback.
    const anonymous = await fetch(`${t.url}/api/v1/sessions/${s.id}/params`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ params: { x: 1 } }),
    });
    assert.equal(anonymous.status, 401);
    const now = await sessions.get(s.id);
    assert.deepEqual(now.params, { lr: 0.001, batch: 64, gpu: 'A100' });
    const retry = specOf({ ...now, tags: ['a'], project: 'p' }, now.cwd);
    assert.deepEqual([retry.params, retry.tags, retry.project], [{ lr: 0.001 }, ['a'], 'p']);
  });

  it("gives the job's SDK its params from the environment and adds discovered ones", async () => {
    const s = await sessions.submit({ command: [process.execPath, '-e', '0'], params: { lr: 0.001 } });
    await waitForSession(t.client, s.id, ended);
    const env = { SWARMLAB_PARAMS: JSON.stringify(s.params), SWARMLAB_PROJECT: 'p', SWARMLAB_TAGS: 'a,b' };
    const job = await session({ url: t.url, token: t.token, sessionId: s.id, env });
    try {
      assert.deepEqual([job.params, job.project, job.tags], [{ lr: 0.001 }, 'p', ['a', 'b']]);
      await job.addParams({ batch: 64 });
      assert.deepEqual(job.params, { lr: 0.001, batch: 64 });
      await assert.rejects(job.addParams({ lr: 1 }), ConflictError);
      assert.deepEqual((await sessions.get(s.id)).params, { lr: 0.001, batch: 64 });
    } finally {
      await job.close();
    }
  });
});
