// Command-line flag parsing: typed --param values and the submit body of run --param/--tag/--project.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidError } from '../errors/index.js';
import { submitBody } from './commands/run.js';
import { paramValue } from './flags.js';

describe('command-line params', () => {
  it('types a value that reads as a JSON number or boolean, and keeps the rest as text', () => {
    assert.equal(paramValue('0.001'), 0.001);
    assert.equal(paramValue('1e-3'), 0.001);
    assert.equal(paramValue('-3'), -3);
    assert.equal(paramValue('true'), true);
    assert.equal(paramValue('false'), false);
    for (const text of ['resnet', '0x10', '1_000', ' 5', '01', '1.', 'True', '', 'NaN', 'Infinity', '1e999'])
      assert.equal(paramValue(text), text);
  });

  it('puts --param, --tag, --project and --replicas in the submit body', () => {
    const body = submitBody(['python', 'train.py'], {
      label: [],
      env: [],
      cwd: '/tmp',
      param: ['lr=0.001', 'arch=resnet', 'aug=true', 'note=a=b'],
      tag: ['baseline', 'v1'],
      project: 'fashion',
      replicas: '4',
    });
    assert.deepEqual(body, {
      command: ['python', 'train.py'],
      cwd: '/tmp',
      params: { lr: 0.001, arch: 'resnet', aug: true, note: 'a=b' },
      tags: ['baseline', 'v1'],
      project: 'fashion',
      replicas: 4,
    });
    assert.throws(
      () => submitBody(['x'], { label: [], env: [], param: ['lr'] }),
      (err: InvalidError) => err instanceof InvalidError && err.details.field === '--param',
    );
  });
});
