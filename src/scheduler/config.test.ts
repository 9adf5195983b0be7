import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import { join } from 'node:path';
import { after, before, test } from 'node:test';
import { InvalidError, NotFoundError } from '../errors/index.js';
import { fieldPath, loadNodesConfig, parseNodesConfig } from './config.js';

let dir = '';
before(async () => {
  dir = await mkdtemp(join(os.tmpdir(), 'swarmlab-nodes-'));
});
after(async () => {
  await rm(dir, { recursive: true, force: true });
});

const gpu = (index: number, memoryMb: unknown = 24_576) => ({ index, name: 'RTX 4090', memoryMb });
const valid = {
  nodes: [
    {
      name: 'a',
      pool: 'training',
      labels: { zone: 'eu' },
      capacity: { cpus: 32, memoryMb: 131_072, gpus: [gpu(0), gpu(1)] },
    },
    { name: 'b', capacity: { cpus: 8.5, memoryMb: 16_384 } },
  ],
};

test('loads a JSON file and fills defaults', async () => {
  const path = join(dir, 'nodes.json');
  await writeFile(path, JSON.stringify(valid));
  const nodes = await loadNodesConfig(path);
  assert.equal(nodes.length, 2);
  assert.deepEqual(nodes[1], {
    name: 'b',
    pool: 'training',
    labels: {},
    capacity: { cpus: 8.5, memoryMb: 16_384, gpus: [] },
  });
});

const fieldOf = (value: unknown): unknown => {
  try {
    parseNodesConfig(value, 'x.json');
  } catch (e) {
    assert.ok(e instanceof InvalidError);
    assert.ok(e.message.startsWith(`x.json: ${String(e.details.field)}: `), e.message);
    return e.details.field;
  }
  return 'no error';
};

test('errors name the path of the bad field', () => {
  const withNode = (i: number, patch: object) => ({
    nodes: valid.nodes.map((n, j) => (j === i ? { ...n, ...patch } : n)),
  });
  const third = { name: 'c', capacity: { cpus: 4, memoryMb: 1, gpus: [gpu(0, 'lots')] } };
  assert.equal(fieldOf({ nodes: [...valid.nodes, third] }), 'nodes[2].capacity.gpus[0].memoryMb');
  assert.equal(fieldOf(withNode(0, { capacity: { cpus: 0, memoryMb: 1 } })), 'nodes[0].capacity.cpus');
  assert.equal(fieldOf(withNode(1, { name: '' })), 'nodes[1].name');
  assert.equal(fieldOf(withNode(1, { labels: { gpu: 3 } })), 'nodes[1].labels.gpu');
  assert.equal(fieldOf(withNode(1, { capacity: { cpus: 1, memoryMB: 1 } })), 'nodes[1].capacity.memoryMb');
  assert.equal(
    fieldOf(withNode(0, { capacity: { cpus: 1, memoryMb: 1, gpus: [gpu(0), gpu(0)] } })),
    'nodes[0].capacity.gpus[1].index',
  );
  assert.equal(fieldOf(withNode(1, { name: 'a' })), 'nodes[1].name');
  assert.equal(fieldOf(withNode(0, { pool: 'x', extra: true })), 'nodes[0].extra');
  assert.equal(fieldOf({}), 'nodes');
  assert.equal(fieldOf([]), '(root)');
});

test('all issues are listed in details', () => {
  try {
    parseNodesConfig({ nodes: [{ name: 'a', capacity: { cpus: -1, memoryMb: -1 } }] });
    assert.fail('expected an error');
  } catch (e) {
    assert.ok(e instanceof InvalidError);
    assert.deepEqual(
      (e.details.issues as Array<{ field: string }>).map((i) => i.field),
      ['nodes[0].capacity.cpus', 'nodes[0].capacity.memoryMb'],
    );
    assert.match(e.message, /\(and 1 more\)$/);
  }
});

test('bad JSON and missing files', async () => {
  const path = join(dir, 'broken.json');
  await writeFile(path, '{ "nodes": [');
  await assert.rejects(
    loadNodesConfig(path),
    (e: unknown) => e instanceof InvalidError && e.details.source === path,
  );
  await assert.rejects(loadNodesConfig(join(dir, 'nope.json')), NotFoundError);
});

test('fieldPath formats zod paths', () => {
  assert.equal(
    fieldPath(['nodes', 2, 'capacity', 'gpus', 0, 'memoryMb']),
    'nodes[2].capacity.gpus[0].memoryMb',
  );
  assert.equal(fieldPath([]), '');
});
