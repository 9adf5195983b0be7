/**
 * pytorch: one `*.pt`/`*.pth` file from `torch.save(state_dict, path)`, a zip of `<archive>/data.pkl` (the
 * pickled dicts), `<archive>/data/<key>` (each storage's raw little-endian elements) and small markers. Tensors
 * nested in dicts or lists are named by their dotted path (`model.fc.weight`).
 */
import { DTYPE_SIZES, elementCount } from '../dtype.js';
import { type TensorEntry, weightsError } from '../entry.js';
import { PickleError, unpickle } from './pickle.js';
import { TensorRef, torchHooks } from './torch.js';
import { entryData, type ZipBytes, type ZipEntry, zipEntries, zipError } from './zip.js';

/** torch pickles only the object structure, so data.pkl stays small even for large models. */
export const MAX_PICKLE_BYTES = 8 * 1024 * 1024;
/** Checkpoints nest a few dicts deep; a deeper pickle is built to exhaust the stack. */
const MAX_DEPTH = 64;
/**
 * One tensor may be named many times (the pickle memo shares it), each a full read for a diff: the elements of
 * all names together are bounded by the file (one byte per element for the smallest dtype, with room for sharing).
 */
const MAX_ELEMENTS_PER_BYTE = 16;

/** Tensors by dotted path; every container is walked once, so a pickle cannot loop or fan out by sharing. */
function tensorsIn(root: unknown, file: string): [string, TensorRef][] {
  if (!(root instanceof Map)) throw weightsError(file, 'data.pkl holds no dict of tensors');
  const out: [string, TensorRef][] = [];
  const seen = new Set<unknown>();
  const walk = (value: unknown, path: string, depth: number) => {
    if (depth > MAX_DEPTH) throw weightsError(file, `data.pkl nests deeper than ${MAX_DEPTH} at ${path}`);
    if (value instanceof TensorRef) {
      out.push([path, value]);
      return;
    }
    if (!(value instanceof Map || Array.isArray(value))) return;
    if (seen.has(value))
      throw weightsError(file, `data.pkl: the container at ${path || '(root)'} appears twice`);
    seen.add(value);
    const items: [unknown, unknown][] = value instanceof Map ? [...value] : value.map((v, i) => [i, v]);
    for (const [key, item] of items) {
      if (typeof key === 'string' || typeof key === 'number')
        walk(item, path ? `${path}.${key}` : String(key), depth + 1);
    }
  };
  walk(root, '', 0);
  return out;
}

function readEntry(file: string, zip: ZipBytes, entry: ZipEntry, what: string): Uint8Array {
  const { start, end } = entryData(file, zip, entry);
  const bytes = zip.at(start, end - start);
  if (!bytes)
    throw zipError(file, `${what} (entry ${entry.name}) is not readable here`, { entry: entry.name });
  return bytes;
}

export function pytorchEntries(file: string, zip: ZipBytes): TensorEntry[] {
  const entries = zipEntries(file, zip);
  const pickles = entries.filter((e) => /^[^/]+\/data\.pkl$/.test(e.name));
  if (pickles.length !== 1)
    throw zipError(file, `needs one <archive>/data.pkl entry, found ${pickles.length}`);
  const pkl = pickles[0]!;
  const prefix = pkl.name.slice(0, -'data.pkl'.length);
  const byName = new Map(entries.map((e) => [e.name, e]));
  const byteorder = byName.get(`${prefix}byteorder`);
  if (byteorder) {
    const order = Buffer.from(readEntry(file, zip, byteorder, 'byteorder')).toString('latin1');
    if (order !== 'little')
      throw weightsError(file, `byteorder is ${JSON.stringify(order)}; only little is read`);
  }
  if (pkl.size > MAX_PICKLE_BYTES) {
    throw weightsError(file, `${pkl.name} is ${pkl.size} bytes, over ${MAX_PICKLE_BYTES}`, {
      entry: pkl.name,
    });
  }
  let root: unknown;
  try {
    root = unpickle(readEntry(file, zip, pkl, 'the pickle'), torchHooks);
  } catch (err) {
    if (!(err instanceof PickleError)) throw err;
    throw weightsError(file, `${pkl.name} at byte ${err.offset}: ${err.message}`, {
      entry: pkl.name,
      offset: err.offset,
      ...err.details,
    });
  }
  let elements = 0;
  const tensors = tensorsIn(root, file).map(([name, t]): TensorEntry => {
    const { key, dtype, numel } = t.storage;
    const storage = byName.get(`${prefix}data/${key}`);
    if (!storage) throw weightsError(file, `tensor ${name}: storage ${key} is missing`, { tensor: name });
    if (storage.size !== numel * DTYPE_SIZES[dtype]) {
      throw weightsError(
        file,
        `tensor ${name}: storage ${key} is ${storage.size} bytes, not ${numel} ${dtype} elements`,
        { tensor: name, entry: storage.name },
      );
    }
    // torch never saves a view with more elements than its storage from a state dict (an expanded one is rare),
    // and one would let a tiny file make a diff decode billions of values.
    const count = elementCount(t.shape, `tensor ${name} shape`);
    if (count > numel) {
      throw weightsError(
        file,
        `tensor ${name}: shape [${t.shape}] has ${count} elements, its storage holds ${numel}`,
        {
          tensor: name,
        },
      );
    }
    elements += count;
    return {
      name,
      dtype,
      shape: t.shape,
      segments: [{ file, ...entryData(file, zip, storage) }],
      view: { strides: t.strides, offset: t.offset },
    };
  });
  if (elements > zip.size * MAX_ELEMENTS_PER_BYTE) {
    throw weightsError(
      file,
      `its tensors declare ${elements} elements in all, over ${MAX_ELEMENTS_PER_BYTE} per byte of the file`,
    );
  }
  return tensors;
}
