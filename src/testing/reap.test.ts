// A test manager's close kills the jobs it left running: they outlive a manager by design, but not a test.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SessionsClient } from '../sdk/index.js';
import { testManager } from './manager.js';
import { waitForSession } from './sessions.js';

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

describe('testManager close', () => {
  it('kills the jobs of sessions still running', async () => {
    const t = await testManager();
    const sessions = new SessionsClient(t.client);
    const s = await sessions.submit({
      command: [process.execPath, '-e', "console.log('pid ' + process.pid); setInterval(() => {}, 1000)"],
    });
    await waitForSession(t.client, s.id, (r) => r.state === 'running');
    let pid = 0;
    for (let i = 0; i < 300 && !pid; i++) {
      const line = (await sessions.logs(s.id)).lines.find((l) => l.line.startsWith('pid '));
      if (line) pid = Number(line.line.slice(4));
      else await new Promise((r) => setTimeout(r, 100));
    }
    assert.ok(alive(pid), 'the job runs before close');
    await t.close();
    for (let i = 0; i < 50 && alive(pid); i++) await new Promise((r) => setTimeout(r, 100));
    assert.equal(alive(pid), false, 'the job is gone after close');
  });
});
