import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidError } from '../../errors/index.js';
import type { SessionRecord } from '../../sessions/index.js';
import { exitStatus, submitBody } from './run.js';

describe('swarmlab run', () => {
  it('turns flags into a submit body, leaving defaults to the manager', () => {
    const body = submitBody(['python', '-u', 'train.py'], {
      cpus: '2',
      gpus: '1',
      maxRuntime: '1h30m',
      label: ['gpu=a100'],
      env: ['A=b=c'],
      cwd: '/tmp',
      model: ['fashion-cnn', 'fashion-mlp'],
    });
    assert.deepEqual(body, {
      command: ['python', '-u', 'train.py'],
      cwd: '/tmp',
      models: ['fashion-cnn', 'fashion-mlp'],
      labels: { gpu: 'a100' },
      env: { A: 'b=c' },
      maxRuntimeMs: 5_400_000,
      resources: { cpus: 2, gpus: 1 },
    });
    assert.throws(() => submitBody(['x'], { label: [], env: [], cpus: 'many' }), InvalidError);
    assert.throws(() => submitBody(['x'], { label: [], env: [], maxRuntime: 'soon' }), InvalidError);
  });

  it('refuses a max runtime without units instead of reading `2 hours` as two seconds', () => {
    for (const maxRuntime of ['2', '2 hours'])
      assert.throws(
        () => submitBody(['hours'], { label: [], env: [], maxRuntime }),
        (err: InvalidError) => err.details.field === '--max-runtime' && /give its units/.test(err.message),
      );
  });

  it("exits with the session's code, 128+N for a signal, 1 when there was none", () => {
    const s = (exitCode: number | null, signal: string | null) => ({ exitCode, signal }) as SessionRecord;
    assert.equal(exitStatus(s(3, null)), 3);
    assert.equal(exitStatus(s(null, 'SIGKILL')), 137);
    assert.equal(exitStatus(s(null, null)), 1);
  });
});
