/** Reading the tensors of a generation's files, in every supported format, and comparing two sets of them. */
import type { WeightFormat } from '../types.js';
import type { Tensor } from './diff.js';
import { checkEntry, type FileBytes, type TensorEntry, tensorValues, weightsError } from './entry.js';
import { layoutOf } from './layout.js';
import { onnxEntries } from './onnx.js';
import { pytorchEntries, wholeFile, type ZipBytes } from './pytorch/index.js';
import { rawEntries } from './raw.js';
import { safetensorsEntries } from './safetensors.js';
import { tfjsEntries } from './tfjs.js';

export {
  type DiffOptions,
  type DiffSummary,
  diffTensors,
  type Tensor,
  type TensorDiff,
  type WeightsDiff,
} from './diff.js';
export { type DType, decode, elementCount, isDType } from './dtype.js';
export {
  checkEntry,
  type FileBytes,
  type Segment,
  type TensorEntry,
  tensorValues,
  weightsError,
} from './entry.js';
export { type Layout, layoutOf } from './layout.js';
export { onnxEntries } from './onnx.js';
export { fields, readVarint, WireError, WireScanner } from './protobuf.js';
export { MAX_PICKLE_BYTES, pytorchEntries, ZipWindow } from './pytorch/index.js';
export { type RawIndex, rawDataFile, rawEntries } from './raw.js';
export { MAX_SAFETENSORS_HEADER, safetensorsEntries, safetensorsHeadBytes } from './safetensors.js';
export { shardFileName, tfjsEntries } from './tfjs.js';

const isJson = (name: string) => name.toLowerCase().endsWith('.json');

/**
 * Locates every tensor in `files` (whole files for ONNX and pytorch; for the others the describing files may be just their
 * leading bytes) and checks each lies inside its file. `sizes` are the true file sizes.
 */
export function tensorEntries(
  format: WeightFormat,
  files: FileBytes,
  sizes: ReadonlyMap<string, number>,
): TensorEntry[] {
  const names = [...sizes.keys()];
  const layout = layoutOf(format, names);
  const head = (name: string) => files.get(name) ?? new Uint8Array();
  let entries: TensorEntry[];
  switch (format) {
    case 'onnx':
      entries = onnxEntries(layout.primary, head(layout.primary));
      break;
    case 'safetensors':
      entries = layout.described.flatMap((f) => safetensorsEntries(f, head(f), sizes.get(f)!));
      break;
    case 'tfjs':
      entries = tfjsEntries(layout.primary, head(layout.primary), sizes);
      break;
    case 'raw-float32': {
      const index = layout.described[0]!;
      entries = rawEntries(
        index,
        head(index),
        names.filter((n) => !isJson(n)),
      );
      break;
    }
    case 'pytorch':
      entries = pytorchEntries(layout.primary, wholeFile(head(layout.primary)));
      break;
    default: {
      const never: never = format;
      throw new Error(`unknown format ${String(never)}`);
    }
  }
  return checked(layout.primary, entries, sizes);
}

/** A pytorch upload's tensors, from the parts of the checkpoint kept while it streamed (see ZipWindow). */
export function checkpointEntries(file: string, zip: ZipBytes): TensorEntry[] {
  return checked(file, pytorchEntries(file, zip), new Map([[file, zip.size]]));
}

function checked(file: string, entries: TensorEntry[], sizes: ReadonlyMap<string, number>): TensorEntry[] {
  const seen = new Set<string>();
  for (const e of entries) {
    if (seen.has(e.name)) throw weightsError(file, `tensor ${e.name} appears twice`, { tensor: e.name });
    seen.add(e.name);
    checkEntry(e, sizes);
  }
  return entries;
}

/** Tensors ready to compare: values are decoded only when the diff asks for them. */
export function toTensors(entries: readonly TensorEntry[], files: FileBytes): Tensor[] {
  return entries.map((e) => ({
    name: e.name,
    dtype: e.dtype,
    shape: e.shape,
    values: () => tensorValues(e, files),
  }));
}
