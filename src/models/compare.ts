/** Weight diffs between two generations: both are read whole from the store, parsed by format, then compared. */
import { TooLargeError } from '../errors/index.js';
import type { Store } from '../store/index.js';
import { type DiffOptions, diffTensors, tensorEntries, toTensors } from './tensors/index.js';
import type { Generation, GenerationDiff } from './types.js';

/** Every file of a generation, as views of one buffer holding its blob. */
export async function readFiles(
  store: Store,
  g: Generation,
  maxBytes: number,
): Promise<Map<string, Uint8Array>> {
  if (g.weights.size > maxBytes) {
    throw new TooLargeError(
      `generation ${g.generation} of ${g.model} is ${g.weights.size} bytes; diffs read at most ${maxBytes}`,
      {
        details: { model: g.model, generation: g.generation, limit: maxBytes },
      },
    );
  }
  const blob = Buffer.allocUnsafe(g.weights.size);
  await store.visitBlob(g.weights.digest, (chunk, offset) => blob.set(chunk, offset));
  return new Map(g.files.map((f) => [f.name, blob.subarray(f.offset, f.offset + f.size)]));
}

export async function diffGenerations(
  store: Store,
  a: Generation,
  b: Generation,
  options: DiffOptions & { maxBytes: number },
): Promise<GenerationDiff> {
  const load = async (g: Generation) => {
    const files = await readFiles(store, g, options.maxBytes);
    const sizes = new Map(g.files.map((f) => [f.name, f.size]));
    return toTensors(tensorEntries(g.format, files, sizes), files);
  };
  const [ta, tb] = [await load(a), await load(b)];
  const diff = diffTensors(ta, tb, options.tolerance === undefined ? {} : { tolerance: options.tolerance });
  return {
    model: a.model,
    a: { generation: a.generation, format: a.format },
    b: { generation: b.generation, format: b.format },
    ...diff,
  };
}
