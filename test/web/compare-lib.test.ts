// The Compare page's pure parts: which way a metric improves, the best cells, and parallel-coordinates axes.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { bestIndexes, goalOf } from '../../web/src/lib/metric-goal.js';
import { axisFor } from '../../web/src/lib/parallel-axes.js';

describe('metric goal', () => {
  it('takes losses and errors as lower-is-better, scores as higher, usage as neither', () => {
    assert.equal(goalOf('loss'), 'min');
    assert.equal(goalOf('val_loss'), 'min');
    assert.equal(goalOf('eval/error_rate'), 'min');
    assert.equal(goalOf('accuracy'), 'max');
    assert.equal(goalOf('val_acc'), 'max');
    assert.equal(goalOf('f1'), 'max');
    assert.equal(goalOf('sys/cpu'), undefined);
  });

  it('marks every best value, skipping missing and non-finite ones, and none when all are equal', () => {
    assert.deepEqual([...bestIndexes([0.5, 0.2, null, 0.2, undefined], 'min')], [1, 3]);
    assert.deepEqual([...bestIndexes([0.5, 0.9, 0.7], 'max')], [1]);
    assert.deepEqual([...bestIndexes([0.5, 0.5], 'max')], []);
    assert.deepEqual([...bestIndexes([0.5], 'max')], []);
    assert.deepEqual([...bestIndexes([0.1, 0.9], undefined)], []);
  });
});

describe('parallel axes', () => {
  it('scales numbers linearly, top = largest, a lone value in the middle', () => {
    const a = axisFor('batch', [32, 64, 128]);
    assert.equal(a.kind, 'linear');
    assert.equal(a.at(32), 0);
    assert.equal(a.at(128), 1);
    assert.ok(Math.abs(a.at(64)! - 1 / 3) < 1e-9);
    assert.deepEqual(
      a.ticks.map((t) => t.label),
      ['32', '80', '128'],
    );
    assert.equal(axisFor('seed', [7, 7]).at(7), 0.5);
  });

  it('uses a log scale for positive values spanning two decades or more', () => {
    const a = axisFor('lr', [1e-4, 1e-3, 1e-2]);
    assert.equal(a.kind, 'log');
    assert.ok(Math.abs(a.at(1e-3)! - 0.5) < 1e-9);
    assert.equal(axisFor('lr', [0.01, 0.1]).kind, 'linear');
    assert.equal(axisFor('shift', [-1, 0, 100]).kind, 'linear');
  });

  it('spreads strings, booleans and mixed values evenly in natural order', () => {
    const a = axisFor('opt', ['sgd', 'adam', 'sgd', 'adamw']);
    assert.equal(a.kind, 'categorical');
    assert.deepEqual(
      a.ticks.map((t) => [t.label, t.at]),
      [
        ['adam', 0],
        ['adamw', 0.5],
        ['sgd', 1],
      ],
    );
    assert.equal(a.at('adamw'), 0.5);
    assert.deepEqual(
      axisFor('layers', ['h10', 'h9', 'h100']).ticks.map((t) => t.label),
      ['h9', 'h10', 'h100'],
    );
    const mixed = axisFor('x', [1, 'two', true]);
    assert.equal(mixed.kind, 'categorical');
    assert.deepEqual([mixed.at(1), mixed.at(true), mixed.at('two')], [0, 0.5, 1]);
  });

  it('has no point for a missing or non-finite value', () => {
    const a = axisFor('lr', [0.1, undefined, 0.3, null]);
    assert.equal(a.kind, 'linear');
    assert.equal(a.at(undefined), undefined);
    assert.equal(a.at(null), undefined);
    assert.equal(a.at(Number.NaN), undefined);
    assert.equal(axisFor('opt', ['a', undefined]).at(undefined), undefined);
  });
});
