import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { Scheduler } from './scheduler.js';
import { demand, node } from './testing/builders.js';

describe('engines: local nodes and swarm nodes', () => {
  test('a demand only lands on nodes of its engine', () => {
    const s = new Scheduler([node('here', { cpus: 8 })]);
    s.syncNodes('swarm', [node('sw1', { cpus: 2 })]);
    s.enqueue(demand('local', { cpus: 1 }));
    s.enqueue(demand('svc', { cpus: 1 }, { engine: 'swarm' }));
    const placed = new Map(s.schedule(0).map((p) => [p.sessionId, p.node]));
    assert.equal(placed.get('local'), 'here');
    assert.equal(placed.get('svc'), 'sw1');
    assert.equal(s.nodes().find((n) => n.name === 'sw1')?.engine, 'swarm');
  });

  test('a swarm demand whose label no node has yet is accepted, waits, and is placed once a node gets it', () => {
    const s = new Scheduler([node('here')]);
    s.syncNodes('swarm', [node('sw1')]);
    const labels = { gpu: 'a100' };
    assert.equal(s.canEverFit({ cpus: 1, memoryMb: 64, gpus: 0 }, 'training', labels, 'swarm').ok, true);
    // The same constraint on local nodes can never change, so it is refused.
    assert.equal(s.canEverFit({ cpus: 1, memoryMb: 64, gpus: 0 }, 'training', labels).ok, false);
    s.enqueue(demand('svc', { cpus: 1 }, { engine: 'swarm', pool: 'training', labels }));
    assert.deepEqual(s.schedule(0), []);
    assert.equal(s.syncNodes('swarm', [node('sw1')]), false, 'nothing changed');
    assert.equal(s.syncNodes('swarm', [node('sw1', { labels })]), true);
    assert.equal(s.schedule(1)[0]?.node, 'sw1');
  });

  test('swarm capacity still rejects what no swarm node could ever hold, and an empty swarm rejects all', () => {
    const s = new Scheduler([node('here', { cpus: 64 })]);
    assert.equal(s.canEverFit({ cpus: 1, memoryMb: 1, gpus: 0 }, undefined, undefined, 'swarm').ok, false);
    s.syncNodes('swarm', [node('sw1', { cpus: 2 })]);
    const v = s.canEverFit({ cpus: 4, memoryMb: 1, gpus: 0 }, undefined, undefined, 'swarm');
    assert.equal(v.ok, false);
    assert.equal(!v.ok && v.dimension, 'cpus');
  });

  test('a vanished swarm node is forgotten once nothing is held on it; local nodes are never touched', () => {
    const s = new Scheduler([node('here')]);
    s.syncNodes('swarm', [node('sw1'), node('sw2')]);
    s.enqueue(demand('svc', { cpus: 15 }, { engine: 'swarm' }));
    const [p] = s.schedule(0);
    s.syncNodes('swarm', []);
    const names = () => s.nodes().map((n) => n.name);
    assert.deepEqual(names().sort(), ['here', p!.node].sort(), 'the node holding a session stays');
    s.release('svc');
    s.syncNodes('swarm', []);
    assert.deepEqual(names(), ['here']);
  });
});
