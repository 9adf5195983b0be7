/**
 * TF.js layers/graph models: `model.json` whose `weightsManifest` lists groups of shard files and the weights
 * laid out back to back across each group's concatenated shards (a weight may cross a shard boundary).
 */
import { DTYPE_SIZES, type DType, elementCount, lookup } from './dtype.js';
import { type Segment, type TensorEntry, weightsError } from './entry.js';

const STORED: Record<string, DType> = { float32: 'float32', int32: 'int32', bool: 'bool' };
const QUANTIZED: Record<string, DType> = { uint8: 'uint8', uint16: 'uint16', float16: 'float16' };

interface WeightSpec {
  name?: unknown;
  shape?: unknown;
  dtype?: unknown;
  quantization?: { dtype?: unknown; scale?: unknown; min?: unknown };
}

/** A manifest path as a file name of the generation: `./group1-shard1of2.bin` → `group1-shard1of2.bin`. */
export const shardFileName = (path: string): string => path.split('/').pop() ?? path;

/** Parses model.json and places each weight in the shards; `sizes` gives each shard file's size. */
export function tfjsEntries(
  file: string,
  modelJson: Uint8Array,
  sizes: ReadonlyMap<string, number>,
): TensorEntry[] {
  let model: { weightsManifest?: unknown };
  try {
    model = JSON.parse(Buffer.from(modelJson).toString('utf8'));
  } catch (cause) {
    throw weightsError(file, `not JSON (${(cause as Error).message})`);
  }
  const manifest = model?.weightsManifest;
  if (!Array.isArray(manifest)) throw weightsError(file, 'has no weightsManifest array');
  const entries: TensorEntry[] = [];
  for (const group of manifest as { paths?: unknown; weights?: unknown }[]) {
    if (!Array.isArray(group?.paths) || !Array.isArray(group.weights)) {
      throw weightsError(file, 'each weightsManifest group needs paths and weights');
    }
    const shards = (group.paths as unknown[]).map((p) => {
      const name = shardFileName(String(p));
      const size = sizes.get(name);
      if (size === undefined) throw weightsError(name, `missing (listed in ${file})`);
      return { name, size };
    });
    const total = shards.reduce((n, s) => n + s.size, 0);
    let at = 0;
    for (const spec of group.weights as (WeightSpec | null)[]) {
      if (typeof spec !== 'object' || spec === null) {
        throw weightsError(
          file,
          `weights must be objects {name, shape, dtype}, found ${JSON.stringify(spec)}`,
        );
      }
      const name = String(spec.name);
      const q = spec.quantization;
      const dtype = q ? lookup(QUANTIZED, q.dtype) : lookup(STORED, spec.dtype);
      if (!dtype) {
        const what = q
          ? `quantization dtype ${JSON.stringify(q.dtype)}`
          : `dtype ${JSON.stringify(spec.dtype)}`;
        throw weightsError(file, `weight ${name}: unsupported ${what}`, { tensor: name });
      }
      if (!Array.isArray(spec.shape))
        throw weightsError(file, `weight ${name}: needs a shape`, { tensor: name });
      const shape = spec.shape as number[];
      const bytes = elementCount(shape, `weight ${name} shape`) * DTYPE_SIZES[dtype];
      if (at + bytes > total) {
        throw weightsError(file, `weight ${name} runs past the end of its shards (${total} bytes)`, {
          tensor: name,
        });
      }
      const entry: TensorEntry = { name, dtype, shape, segments: place(shards, at, bytes) };
      if (q && dtype !== 'float16') entry.affine = { scale: Number(q.scale ?? 1), min: Number(q.min ?? 0) };
      entries.push(entry);
      at += bytes;
    }
    if (at !== total) {
      throw weightsError(
        file,
        `weights of group [${shards.map((s) => s.name)}] take ${at} bytes, its shards hold ${total}`,
      );
    }
  }
  return entries;
}

/** Maps bytes [at, at + length) of the concatenated shards to per-shard segments. */
function place(shards: { name: string; size: number }[], at: number, length: number): Segment[] {
  const segments: Segment[] = [];
  let base = 0;
  for (const s of shards) {
    const from = Math.max(at, base);
    const to = Math.min(at + length, base + s.size);
    if (from < to) segments.push({ file: s.name, start: from - base, end: to - base });
    base += s.size;
  }
  return segments;
}
