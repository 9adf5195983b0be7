/** What the globals of a torch state-dict pickle stand for: storages, tensors and ordered dicts; nothing else is allowed. */
import type { DType } from '../dtype.js';
import { type Dict, Global, PickleError, type Unpickler } from './pickle.js';

/** torch's typed storage classes (what `torch.save` names in a storage's persistent id) and their element types. */
export const STORAGE_DTYPES: Readonly<Record<string, DType>> = {
  'torch.DoubleStorage': 'float64',
  'torch.FloatStorage': 'float32',
  'torch.HalfStorage': 'float16',
  'torch.BFloat16Storage': 'bfloat16',
  'torch.LongStorage': 'int64',
  'torch.IntStorage': 'int32',
  'torch.ShortStorage': 'int16',
  'torch.CharStorage': 'int8',
  'torch.ByteStorage': 'uint8',
  'torch.BoolStorage': 'bool',
};

const CALLABLE = [
  'collections.OrderedDict',
  'torch._utils._rebuild_tensor_v2',
  'torch._utils._rebuild_parameter',
  'torch.serialization._get_layout',
  'torch.device',
] as const;
const ALLOWED = new Set<string>([...CALLABLE, ...Object.keys(STORAGE_DTYPES)]);

/** One `data/<key>` entry of the archive, as a persistent id declares it. */
export class StorageRef {
  constructor(
    readonly key: string,
    readonly dtype: DType,
    readonly numel: number,
  ) {}
}

/** A tensor as `_rebuild_tensor_v2` describes it: a strided view (in elements) of a storage. */
export class TensorRef {
  constructor(
    readonly storage: StorageRef,
    readonly offset: number,
    readonly shape: number[],
    readonly strides: number[],
  ) {}
}

const isCount = (v: unknown): v is number => Number.isSafeInteger(v) && (v as number) >= 0;
const isCounts = (v: unknown): v is number[] => Array.isArray(v) && v.every(isCount);

function rebuildTensor(args: unknown[], offset: number): TensorRef {
  const [storage, storageOffset, shape, strides] = args;
  if (!(storage instanceof StorageRef) || !isCount(storageOffset)) {
    throw new PickleError('_rebuild_tensor_v2 needs a storage and a storage offset', offset);
  }
  if (!isCounts(shape) || !isCounts(strides) || shape.length !== strides.length) {
    throw new PickleError('_rebuild_tensor_v2 needs a shape and strides of the same rank', offset);
  }
  return new TensorRef(storage, storageOffset, shape, strides);
}

function call(name: (typeof CALLABLE)[number], args: unknown[], offset: number): unknown {
  switch (name) {
    case 'collections.OrderedDict':
      if (args.length > 0) throw new PickleError('OrderedDict is only read empty, then filled', offset);
      return new Map() satisfies Dict;
    case 'torch._utils._rebuild_tensor_v2':
      return rebuildTensor(args, offset);
    case 'torch._utils._rebuild_parameter':
      if (!(args[0] instanceof TensorRef)) throw new PickleError('_rebuild_parameter needs a tensor', offset);
      return args[0];
    case 'torch.serialization._get_layout':
    case 'torch.device':
      return args.join(':');
    default: {
      const never: never = name;
      throw new PickleError(`no call for ${String(never)}`, offset);
    }
  }
}

export const torchHooks: Unpickler = {
  global(name, offset) {
    if (!ALLOWED.has(name)) {
      throw new PickleError(
        `global ${name} is not allowed: only torch state-dict types are read (save model.state_dict(), not the model)`,
        offset,
        {
          global: name,
        },
      );
    }
    return new Global(name);
  },
  reduce(callable, args, offset) {
    const name = callable instanceof Global ? callable.name : '';
    if (!(CALLABLE as readonly string[]).includes(name)) {
      throw new PickleError(`${name || 'a non-global'} cannot be called`, offset);
    }
    return call(name as (typeof CALLABLE)[number], args, offset);
  },
  build(obj, _state, offset) {
    // A module's state_dict() is an OrderedDict carrying `_metadata` (versions per submodule): not tensors.
    if (obj instanceof Map) return obj;
    throw new PickleError('BUILD is only read on an OrderedDict', offset);
  },
  persistentLoad(pid, offset) {
    const [kind, type, key, , numel] = Array.isArray(pid) ? pid : [];
    const dtype = type instanceof Global ? STORAGE_DTYPES[type.name] : undefined;
    if (kind !== 'storage' || !dtype || typeof key !== 'string' || !isCount(numel)) {
      throw new PickleError(
        "persistent ids must be ('storage', torch.<Type>Storage, key, location, numel)",
        offset,
      );
    }
    return new StorageRef(key, dtype, numel);
  },
};
