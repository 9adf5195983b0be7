// The dashboard's metric-family rule: which metrics share a chart.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { byFamily, family } from '../../web/src/lib/metric-families.js';

describe('metric families', () => {
  it('drops a /-prefix, then one val_/train_/test_ prefix', () => {
    assert.equal(family('loss'), 'loss');
    assert.equal(family('val_loss'), 'loss');
    assert.equal(family('train_loss'), 'loss');
    assert.equal(family('test_accuracy'), 'accuracy');
    assert.equal(family('train/loss'), 'loss');
    assert.equal(family('eval/val_loss'), 'loss');
    assert.equal(family('acc'), 'acc');
    assert.equal(family('val_val_loss'), 'val_loss');
  });

  it('keeps a name that would be left empty', () => {
    assert.equal(family('val_'), 'val_');
    assert.equal(family('loss/'), 'loss/');
  });

  it('groups series by family in first-seen order', () => {
    const groups = byFamily(
      new Map([
        ['loss', 1],
        ['acc', 2],
        ['val_loss', 3],
      ]),
    );
    assert.deepEqual(
      [...groups].map(([f, s]) => [f, [...s.keys()]]),
      [
        ['loss', ['loss', 'val_loss']],
        ['acc', ['acc']],
      ],
    );
  });
});
