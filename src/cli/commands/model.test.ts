import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ModelTree } from '../../models/index.js';
import { diffTensors } from '../../models/tensors/index.js';
import { diffTable, parseModelRef, treeText } from './model.js';

const t = (name: string, shape: number[], values: number[]) => ({
  name,
  dtype: 'float32',
  shape,
  values: () => Float64Array.from(values),
});

describe('swarmlab model', () => {
  it('prints a diff as a table with a summary', () => {
    const diff = diffTensors(
      [t('w', [2, 2], [1, 2, 3, 4]), t('b', [2], [0, 0]), t('gone', [1], [5])],
      [t('w', [2, 2], [1, 2, 3, 5]), t('b', [2], [3, 4]), t('new', [1], [7])],
    );
    const text = diffTable({
      ...diff,
      model: 'm',
      a: { generation: 1, format: 'onnx' },
      b: { generation: 2, format: 'tfjs' },
    });
    const lines = text.split('\n');
    assert.equal(lines[0], 'm: generation 1 (onnx) → 2 (tfjs)');
    assert.match(lines[1]!, /^TENSOR\s+SHAPE\s+STATUS\s+‖A‖\s+‖B‖\s+‖A−B‖\s+REL\s+COS\s+CHANGED$/);
    // ‖a‖ = √30 ≈ 5.477, ‖b‖ = √39 ≈ 6.245, relative change 1/√30 ≈ 0.1826, cosine 34/√1170 ≈ 0.994.
    assert.deepEqual(lines[2]!.split(/\s+/), [
      'w',
      '[2,2]',
      'compared',
      '5.477',
      '6.245',
      '1',
      '0.1826',
      '0.994',
      '25%',
    ]);
    assert.deepEqual(lines[3]!.split(/\s+/), ['b', '[2]', 'compared', '0', '5', '5', '–', '–', '100%']);
    assert.deepEqual(lines[4]!.split(/\s+/), ['gone', '[1]', 'removed', '–', '–', '–', '–', '–', '–']);
    assert.match(text, /2 compared, 1 added, 1 removed, 0 reshaped; 3 of 6 values changed \(50%\)/);
  });

  it('draws the type → model → generation tree with stage badges and a key metric', () => {
    const gen = (generation: number, stage: 'draft' | 'production', metrics: Record<string, number>) => ({
      generation,
      stage,
      format: 'onnx' as const,
      size: 2048,
      metrics,
      createdAt: 0,
    });
    const tree: ModelTree = {
      types: [
        {
          type: 'classifier/mlp',
          models: [
            {
              name: 'mnist',
              type: 'classifier/mlp',
              latest: 2,
              production: 1,
              staging: null,
              generations: [gen(1, 'production', { loss: 0.3, accuracy: 0.91 }), gen(2, 'draft', {})],
            },
          ],
        },
      ],
    };
    assert.equal(
      treeText(tree),
      [
        'classifier/mlp',
        '└─ mnist',
        '   ├─ 1  [production]  onnx  2.0 KiB  accuracy=0.91',
        '   └─ 2                onnx  2.0 KiB',
        '',
      ].join('\n'),
    );
    assert.equal(treeText({ types: [] }), 'no models yet\n');
  });

  it('parses NAME, NAME@G and NAME:stage', () => {
    assert.deepEqual(parseModelRef('mnist'), { name: 'mnist', selector: { stage: 'production' } });
    assert.deepEqual(parseModelRef('mnist@3'), { name: 'mnist', selector: { generation: 3 } });
    assert.deepEqual(parseModelRef('mnist:staging'), { name: 'mnist', selector: { stage: 'staging' } });
    assert.throws(() => parseModelRef('mnist@x'), /NAME@GENERATION/);
  });
});
