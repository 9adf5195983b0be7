/** Test helpers: torch.save-like checkpoints written by hand (a stored zip around a protocol 2 pickle), to shape hostile ones. */
import { toBytes } from './formats.js';

export interface TorchTensor {
  name: string;
  /** e.g. `FloatStorage`; its values are the whole storage. */
  storage: 'FloatStorage' | 'DoubleStorage' | 'HalfStorage' | 'LongStorage' | 'IntStorage' | 'ByteStorage';
  values: number[];
  shape: number[];
  /** Row-major when left out. */
  strides?: number[];
  offset?: number;
  /** Declared element count of the storage; its values' count when left out. */
  numel?: number;
}

const BYTES_OF = {
  FloatStorage: 'F32',
  DoubleStorage: 'F64',
  HalfStorage: 'F16',
  LongStorage: 'I64',
  IntStorage: 'I32',
  ByteStorage: 'U8',
};

const op = (s: string) => Buffer.from(s, 'latin1');
const int = (n: number) => Buffer.concat([op('J'), Buffer.from(new Int32Array([n]).buffer)]);
export const pickleStr = (s: string) => {
  const bytes = Buffer.from(s, 'utf8');
  return Buffer.concat([op('X'), Buffer.from(new Uint32Array([bytes.length]).buffer), bytes]);
};
export const pickleGlobal = (name: string) =>
  op(`c${name.slice(0, name.lastIndexOf('.'))}\n${name.slice(name.lastIndexOf('.') + 1)}\n`);
const tuple = (items: Buffer[]) => Buffer.concat([op('('), ...items, op('t')]);

const rowMajor = (shape: number[]) => shape.map((_, i) => shape.slice(i + 1).reduce((a, b) => a * b, 1));

function tensor(t: TorchTensor, key: string): Buffer {
  const pid = tuple([
    pickleStr('storage'),
    pickleGlobal(`torch.${t.storage}`),
    pickleStr(key),
    pickleStr('cpu'),
    int(t.numel ?? t.values.length),
  ]);
  const args = tuple([
    pid,
    op('Q'),
    int(t.offset ?? 0),
    tuple(t.shape.map(int)),
    tuple((t.strides ?? rowMajor(t.shape)).map(int)),
    op('\x89'),
    pickleGlobal('collections.OrderedDict'),
    op(')R'),
  ]);
  return Buffer.concat([pickleGlobal('torch._utils._rebuild_tensor_v2'), args, op('R')]);
}

/** A protocol 2 pickle of `{name: tensor}`, storages keyed 0, 1, … */
export const statePickle = (tensors: TorchTensor[]) =>
  Buffer.concat([
    op('\x80\x02}('),
    ...tensors.flatMap((t, i) => [pickleStr(t.name), tensor(t, String(i))]),
    op('u.'),
  ]);

/** A little-endian record of `size` bytes from [offset, value, width] fields (zip headers). */
function record(size: number, fields: [number, number, 2 | 4][]): Buffer {
  const out = Buffer.alloc(size);
  for (const [at, value, width] of fields) {
    if (width === 2) out.writeUInt16LE(value, at);
    else out.writeUInt32LE(value, at);
  }
  return out;
}

/** A zip of stored entries, with sizes in the local headers (torch leaves them to data descriptors; both are valid). */
export function storedZip(entries: [string, Uint8Array][]): Buffer {
  const parts: Buffer[] = [];
  const central: Buffer[] = [];
  let at = 0;
  for (const [name, data] of entries) {
    const nameBytes = Buffer.from(name);
    const [size, nameLength] = [data.length, nameBytes.length];
    const local = record(30, [
      [0, 0x04034b50, 4],
      [18, size, 4],
      [22, size, 4],
      [26, nameLength, 2],
    ]);
    const dir = record(46, [
      [0, 0x02014b50, 4],
      [20, size, 4],
      [24, size, 4],
      [28, nameLength, 2],
      [42, at, 4],
    ]);
    central.push(dir, nameBytes);
    parts.push(local, nameBytes, Buffer.from(data));
    at += 30 + nameLength + size;
  }
  const directory = Buffer.concat(central);
  const count = entries.length;
  const end = record(22, [
    [0, 0x06054b50, 4],
    [8, count, 2],
    [10, count, 2],
    [12, directory.length, 4],
    [16, at, 4],
  ]);
  return Buffer.concat([...parts, directory, end]);
}

/** A checkpoint holding `tensors` (or, given `pickle`, that pickle over the tensors' storages). */
export function checkpoint(tensors: TorchTensor[], pickle: Uint8Array = statePickle(tensors)): Buffer {
  return storedZip([
    ['archive/data.pkl', pickle],
    ...tensors.map((t, i): [string, Uint8Array] => [
      `archive/data/${i}`,
      toBytes(BYTES_OF[t.storage], t.values),
    ]),
    ['archive/version', Buffer.from('3\n')],
  ]);
}
