// Property tests: mutated weight files (safetensors, ONNX, TF.js model.json, torch .pt) either yield tensors whose values decode, or a typed refusal naming the file.
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { tensorEntries, tensorValues } from '../../src/models/tensors/index.js';
import type { WeightFormat } from '../../src/models/types.js';
import { fuzzParams } from './budget.js';
import { mutated } from './mutate.js';
import { parsedOrRefused, Tally } from './outcome.js';
import { TFJS_SHARDS, WEIGHT_SEEDS } from './seeds.js';

const tally = new Tally();
after(() => tally.print('mutated weight files,'));

/** Every tensor of the files located, checked and decoded: what a save and a diff of the generation do. */
function readAll(format: WeightFormat, files: Map<string, Uint8Array>): void {
  const sizes = new Map([...files].map(([n, b]) => [n, b.byteLength]));
  for (const e of tensorEntries(format, files, sizes)) tensorValues(e, files);
}

describe('mutated weight files parse or are refused with the place named', () => {
  for (const format of Object.keys(WEIGHT_SEEDS) as (keyof typeof WEIGHT_SEEDS)[]) {
    it(format, async () => {
      await fc.assert(
        fc.asyncProperty(mutated(WEIGHT_SEEDS[format]), async (m) => {
          const files = new Map<string, Uint8Array>([[m.seed, m.bytes]]);
          if (format === 'tfjs') for (const [n, b] of Object.entries(TFJS_SHARDS)) files.set(n, b);
          tally.add(format, await parsedOrRefused(() => readAll(format, files)));
        }),
        fuzzParams(),
      );
    });
  }
});
