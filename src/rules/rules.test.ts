// The rules document's validation and the stopIf rules' arithmetic, without a manager.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidError } from '../errors/index.js';
import { observe, parseRules, type StopRule } from './index.js';
import { initialStopState } from './stop.js';

const fieldOf = (doc: unknown): unknown => {
  try {
    parseRules(doc);
  } catch (err) {
    assert.ok(err instanceof InvalidError);
    assert.ok(err.message.startsWith(`${err.details.field}: `), err.message);
    return err.details.field;
  }
  return assert.fail('accepted');
};

/** Epochs 0, 1, … of one metric through one rule; returns the epoch that fired it, or undefined. */
function firesAt(rule: StopRule, values: number[]): number | undefined {
  const state = initialStopState();
  for (const [epoch, value] of values.entries()) {
    if (observe(rule, state, { metric: rule.metric, value, epoch })) return epoch;
  }
  return undefined;
}

describe('rules document', () => {
  it('accepts the documented shape and names the path of a bad field', () => {
    const ok = parseRules({
      stopIf: [
        { metric: 'loss', kind: 'nonFinite' },
        { name: 'too-high', metric: 'val_loss', kind: 'threshold', above: 2, fromEpoch: 3, action: 'reject' },
        { metric: 'val_accuracy', kind: 'noImprovement', patience: 3, mode: 'max', minDelta: 0.001 },
        { metric: 'accuracy', kind: 'interval', min: 0.5, max: 1 },
      ],
      accept: [
        {
          metric: 'val_accuracy',
          stage: 'production',
          beatProductionBy: 0.01,
          atLeast: 0.8,
          weightsDiff: { maxRelativeChange: 0.5 },
        },
      ],
      onExit: { retry: 2, codes: [3], flag: true },
    });
    assert.equal(ok.stopIf?.length, 4);
    assert.equal(
      fieldOf({
        stopIf: [
          { metric: 'l', kind: 'nonFinite' },
          { metric: 'x', kind: 'noImprovement', patience: 0, mode: 'max' },
        ],
      }),
      'rules.stopIf[1].patience',
    );
    assert.equal(fieldOf({ stopIf: [{ metric: 'l', kind: 'sometimes' }] }), 'rules.stopIf[0].kind');
    assert.equal(fieldOf({ stopIf: [{ metric: 'l', kind: 'threshold' }] }), 'rules.stopIf[0].above');
    assert.equal(
      fieldOf({ stopIf: [{ metric: 'l', kind: 'nonFinite', extra: 1 }] }),
      'rules.stopIf[0].extra',
    );
    assert.equal(
      fieldOf({ stopIf: [{ metric: 'a', kind: 'interval', min: 0.5, max: 0.2 }] }),
      'rules.stopIf[0].max',
    );
    assert.equal(fieldOf({ accept: [{ metric: 'a', stage: 'prod' }] }), 'rules.accept[0].stage');
    assert.equal(
      fieldOf({ accept: [{ metric: 'a', stage: 'staging', beatProductionBy: -1 }] }),
      'rules.accept[0].beatProductionBy',
    );
    assert.equal(
      fieldOf({ accept: [{ metric: 'a', stage: 'staging', weightsDiff: { max: 1 } }] }),
      'rules.accept[0].weightsDiff.max',
    );
    assert.equal(fieldOf({ onExit: { retry: 11 } }), 'rules.onExit.retry');
    assert.equal(fieldOf({ onExit: { codes: [1.5] } }), 'rules.onExit.codes[0]');
    assert.equal(fieldOf({ stopIf: {} }), 'rules.stopIf');
    assert.equal(fieldOf({ later: [] }), 'rules.later');
    assert.equal(fieldOf([]), 'rules');
  });
});

describe('stopIf rules', () => {
  it('nonFinite fires on NaN and ±Infinity only', () => {
    const rule: StopRule = { metric: 'loss', kind: 'nonFinite' };
    assert.equal(firesAt(rule, [3, 2, Number.NaN]), 2);
    assert.equal(firesAt(rule, [3, Number.NEGATIVE_INFINITY]), 1);
    assert.equal(firesAt(rule, [3, 1e308, -1e308, 0]), undefined);
  });

  it('threshold fires above/below its bound from its epoch on', () => {
    const rule: StopRule = { metric: 'val_loss', kind: 'threshold', above: 2, below: 0, fromEpoch: 2 };
    assert.equal(firesAt(rule, [9, 9, 2, 2.5]), 3);
    assert.equal(firesAt(rule, [9, -1, 1, -0.1]), 3);
    assert.equal(firesAt(rule, [9, 9, 2, 0, 1.99]), undefined);
  });

  it('noImprovement fires after `patience` epochs without a gain of more than minDelta', () => {
    const max: StopRule = { metric: 'acc', kind: 'noImprovement', patience: 2, mode: 'max', minDelta: 0.01 };
    assert.equal(firesAt(max, [0.5, 0.6, 0.605, 0.6]), 3);
    assert.equal(firesAt(max, [0.5, 0.6, 0.605, 0.7, 0.705, 0.8]), undefined);
    const min: StopRule = { metric: 'loss', kind: 'noImprovement', patience: 3, mode: 'min' };
    assert.equal(firesAt(min, [1, 0.9, 0.9, 0.95, 0.91]), 4);
    assert.equal(firesAt(min, [1, 0.9, 0.9, 0.95, 0.89, 1]), undefined);
    const state = initialStopState();
    for (const [epoch, value] of [1, 0.5, 0.7].entries())
      observe(min, state, { metric: 'loss', value, epoch });
    assert.deepEqual(state, { best: 0.5, bestEpoch: 1, stale: 1 });
  });

  it('interval fires when the rate leaves [min, max] from its epoch on', () => {
    const rule: StopRule = { metric: 'accuracy', kind: 'interval', min: 0.5, max: 0.99, fromEpoch: 1 };
    assert.equal(firesAt(rule, [0.1, 0.6, 0.4]), 2);
    assert.equal(firesAt(rule, [0.1, 0.6, 1]), 2);
    assert.equal(firesAt(rule, [0.1, 0.5, 0.99, 0.7]), undefined);
    assert.equal(firesAt({ ...rule, max: undefined }, [0.1, 0.5, 1]), undefined);
    assert.equal(firesAt(rule, [0.7, Number.NaN]), 1);
  });
});
