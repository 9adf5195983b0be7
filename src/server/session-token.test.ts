// A session's own token, used by a real job process: what it may do (its session, datasets, named models), what it
// may not, and that it stops working when the session ends, across a manager restart too.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { isTerminal } from '../api/index.js';
import { safetensors } from '../models/testing/formats.js';
import { type TestManager, testManager } from '../testing/manager.js';
import { waitForSession } from '../testing/sessions.js';

const WEIGHTS = safetensors([{ name: 'w', shape: [2], dtype: 'F32', values: [1, 2] }]);

/** Tries each thing with SWARMLAB_TOKEN and prints the statuses as one JSON line. */
const JOB = `
const u = process.env.SWARMLAB_URL, t = process.env.SWARMLAB_TOKEN, id = process.env.SWARMLAB_SESSION_ID;
const h = { authorization: 'Bearer ' + t };
const send = (m, p, body, ct) => fetch(u + p, { method: m, headers: { ...h, ...(ct ? { 'content-type': ct } : {}) }, body });
const st = async (...a) => (await send(...a)).status;
const w = Buffer.from(process.env.W, 'base64');
const save = (model) => st('POST', '/api/v1/models/' + model + '/generations?format=safetensors&type=test/roles', w, 'application/octet-stream');
const out = {
  token: t,
  whoami: await (await send('GET', '/api/v1/whoami')).json(),
  ownSession: await st('GET', '/api/v1/sessions/' + id),
  ownLogs: await st('GET', '/api/v1/sessions/' + id + '/logs'),
  otherSession: await st('GET', '/api/v1/sessions/' + process.env.OTHER),
  sessionList: await st('GET', '/api/v1/sessions'),
  dataset: await st('GET', '/api/v1/datasets/roles-ds/versions/1'),
  otherDataset: await st('GET', '/api/v1/datasets/other-ds/versions/1'),
  datasets: (await (await send('GET', '/api/v1/datasets')).json()).datasets.map((d) => d.name),
  saveNamed: await save('roles-job'),
  saveOther: await save('not-named'),
  stage: await st('POST', '/api/v1/models/roles-job/generations/1/stage', JSON.stringify({ stage: 'production' }), 'application/json'),
  submit: await st('POST', '/api/v1/sessions', JSON.stringify({ command: ['true'] }), 'application/json'),
  tokens: await st('GET', '/api/v1/tokens'),
};
console.log('RESULT ' + JSON.stringify(out));
`;

describe('session tokens', () => {
  let tm: TestManager;
  before(async () => {
    tm = await testManager();
  });
  after(() => tm?.close());

  const push = async (name: string) => {
    const res = await fetch(`${tm.url}/api/v1/datasets/${name}/versions?format=csv&label=y`, {
      method: 'POST',
      headers: { ...tm.auth, 'content-type': 'text/csv' },
      body: 'x,y\n1,0\n2,1\n',
    });
    assert.equal(res.status, 201, await res.text());
  };

  it('scope a job to its session and the models it names, let it read datasets, and end with it', async () => {
    await push('roles-ds');
    await push('other-ds');
    const other = await tm.client.json<{ id: string }>('POST', '/api/v1/sessions', {
      body: { command: ['true'] },
    });
    await waitForSession(tm.client, other.id, (s) => isTerminal(s.state));
    const submitted = await tm.client.json<{ id: string }>('POST', '/api/v1/sessions', {
      body: {
        command: [process.execPath, '--input-type=module', '-e', JOB],
        dataset: 'roles-ds',
        models: ['roles-job'],
        env: { W: WEIGHTS.toString('base64'), OTHER: other.id },
      },
    });
    const id = submitted.id;
    const ended = await waitForSession(tm.client, id, (s) => isTerminal(s.state), 60_000);
    const logs = await tm.client.json<{ lines: { line: string }[] }>('GET', `/api/v1/sessions/${id}/logs`);
    assert.equal(ended.state, 'succeeded', logs.lines.map((l) => l.line).join('\n'));
    const line = logs.lines.find((l) => l.line.startsWith('RESULT '))!.line;
    const { token, ...r } = JSON.parse(line.slice(7));
    assert.notEqual(token, tm.token, 'the job does not get the manager token');
    assert.deepEqual(r, {
      whoami: { role: 'session', actor: `session:${id}`, sessionId: id },
      ownSession: 200,
      ownLogs: 200,
      otherSession: 403,
      sessionList: 403,
      dataset: 200,
      otherDataset: 200,
      datasets: ['other-ds', 'roles-ds'],
      saveNamed: 201,
      saveOther: 403,
      stage: 403,
      submit: 403,
      tokens: 403,
    });
    // The generation it saved is its own (lineage set from the token) and records who saved it.
    const g = await tm.client.json<{ sessionId: string; dataset: string }>(
      'GET',
      '/api/v1/models/roles-job/generations/1',
    );
    assert.equal(g.sessionId, id);
    assert.equal(g.dataset, 'roles-ds@1');
    const history = await tm.client.json<{ entries: { actor?: string }[] }>(
      'GET',
      '/api/v1/models/roles-job/history',
    );
    assert.deepEqual(
      history.entries.map((e) => e.actor),
      [`session:${id}`],
    );
    // Revoked with the session's end, and still after a restart.
    const report = async () =>
      (
        await fetch(`${tm.url}/api/v1/sessions/${id}/reports/stream-after-end`, {
          headers: { authorization: `Bearer ${token}` },
        })
      ).status;
    assert.equal(await report(), 401);
    await tm.restart();
    assert.equal(await report(), 401);
    // A forged one (another session's id under this token's MAC) is no token at all.
    const forged = token.replace(id, other.id);
    const res = await fetch(`${tm.url}/api/v1/whoami`, { headers: { authorization: `Bearer ${forged}` } });
    assert.equal(res.status, 401);
  });

  it('needs a token on job routes even on loopback, and takes a write token there', async () => {
    const s = await tm.client.json<{ id: string }>('POST', '/api/v1/sessions', {
      body: { command: ['true'] },
    });
    const path = `${tm.url}/api/v1/sessions/${s.id}/params`;
    const body = JSON.stringify({ params: { lr: 0.1 } });
    const headers = { 'content-type': 'application/json' };
    const none = await fetch(path, { method: 'POST', headers, body });
    assert.equal(none.status, 401);
    const write = await tm.client.json<{ token: string }>('POST', '/api/v1/tokens', {
      body: { name: 'trainer', role: 'write' },
    });
    const ok = await fetch(path, {
      method: 'POST',
      headers: { ...headers, authorization: `Bearer ${write.token}` },
      body,
    });
    assert.ok(ok.status === 200 || ok.status === 409, String(ok.status));
    await waitForSession(tm.client, s.id, (x) => isTerminal(x.state));
  });
});
