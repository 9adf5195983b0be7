// Property tests: mutated real dataset files either import or are refused with a typed error naming the place, streamed in chunks of any size.
import { after, describe, it } from 'node:test';
import fc from 'fast-check';
import { type ImportFormat, importers } from '../../src/datasets/formats/index.js';
import { memFile } from '../../src/datasets/formats/testing/streams.js';
import { fuzzParams } from './budget.js';
import { chunkSize, mutated } from './mutate.js';
import { parsedOrRefused, Tally } from './outcome.js';
import { DATASET_SEEDS, IDX_PAIR } from './seeds.js';

const tally = new Tally();
after(() => tally.print('mutated dataset files,'));

describe('mutated dataset files import or are refused with the place named', () => {
  for (const format of Object.keys(DATASET_SEEDS) as ImportFormat[]) {
    it(format, async () => {
      const importer = importers[format] as (s: unknown) => Promise<unknown>;
      await fc.assert(
        fc.asyncProperty(mutated(DATASET_SEEDS[format]), chunkSize, async (m, chunk) => {
          const files = [memFile(m.seed, m.bytes, chunk)];
          tally.add(format, await parsedOrRefused(() => importer({ files })));
        }),
        fuzzParams(),
      );
    });
  }

  it('idx images + labels, either file mutated', async () => {
    await fc.assert(
      fc.asyncProperty(mutated(IDX_PAIR), chunkSize, async (m, chunk) => {
        const other = m.seed === 'images' ? 'labels' : 'images';
        const files = [memFile(m.seed, m.bytes, chunk), memFile(other, IDX_PAIR[other], chunk)];
        tally.add('idx pair', await parsedOrRefused(() => importers.idx({ files })));
      }),
      fuzzParams(0.5),
    );
  });
});
