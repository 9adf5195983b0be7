/**
 * ONNX initializers: ModelProto.graph (field 7) → GraphProto.initializer (5) → TensorProto. Values come from
 * raw_data, the typed repeated fields, or external data in another file of the generation.
 */
import { DTYPE_SIZES, type DType, elementCount, halfToNumber } from './dtype.js';
import { type Segment, type TensorEntry, weightsError } from './entry.js';
import { type Field, fields, packedVarints, WIRE, WireError } from './protobuf.js';

/** TensorProto.DataType → our dtype (strings and complex numbers are not weights we compare). */
const DATA_TYPES: Record<number, DType> = {
  1: 'float32',
  2: 'uint8',
  3: 'int8',
  4: 'uint16',
  5: 'int16',
  6: 'int32',
  7: 'int64',
  9: 'bool',
  10: 'float16',
  11: 'float64',
  12: 'uint32',
  13: 'uint64',
  16: 'bfloat16',
};

const T = {
  dims: 1,
  dataType: 2,
  floatData: 4,
  int32Data: 5,
  int64Data: 7,
  name: 8,
  rawData: 9,
  doubleData: 10,
  uint64Data: 11,
  externalData: 13,
  dataLocation: 14,
} as const;

export function onnxEntries(file: string, bytes: Uint8Array): TensorEntry[] {
  try {
    const entries: TensorEntry[] = [];
    for (const m of fields(bytes)) {
      if (m.field !== 7 || m.wire !== WIRE.bytes) continue;
      const graph = bytes.subarray(m.start, m.end);
      for (const g of fields(graph)) {
        if (g.field !== 5 || g.wire !== WIRE.bytes) continue;
        entries.push(tensor(file, bytes, m.start + g.start, m.start + g.end));
      }
    }
    return entries;
  } catch (err) {
    if (err instanceof WireError) throw weightsError(file, `not a valid ONNX protobuf (${err.message})`);
    throw err;
  }
}

/** One TensorProto at bytes [start, end) of the file; segments point into the file itself. */
function tensor(file: string, bytes: Uint8Array, start: number, end: number): TensorEntry {
  const msg = bytes.subarray(start, end);
  const dims: number[] = [];
  let dataType = 0;
  let name = '';
  let external = false;
  const externalInfo: Record<string, string> = {};
  const segments: Segment[] = [];
  const ints: bigint[] = [];
  const floats: number[] = [];
  const view = new DataView(msg.buffer, msg.byteOffset, msg.byteLength);
  for (const f of fields(msg)) {
    const at = (s: number, e: number): Segment => ({ file, start: start + s, end: start + e });
    switch (f.field) {
      case T.dims:
        if (f.wire === WIRE.bytes)
          for (const d of packedVarints(msg, f.start, f.end)) dims.push(Number(BigInt.asIntN(64, d)));
        else dims.push(Number(BigInt.asIntN(64, f.value)));
        break;
      case T.dataType:
        dataType = Number(f.value);
        break;
      case T.name:
        name = Buffer.from(msg.subarray(f.start, f.end)).toString('utf8');
        break;
      case T.rawData:
      case T.doubleData:
        if (f.wire === WIRE.bytes) segments.push(at(f.start, f.end));
        else if (f.wire === WIRE.fixed64 && f.field === T.doubleData)
          floats.push(view.getFloat64(f.start, true));
        else throw wireTypeError(f);
        break;
      case T.floatData:
        if (f.wire === WIRE.bytes) segments.push(at(f.start, f.end));
        else if (f.wire === WIRE.fixed32) floats.push(view.getFloat32(f.start, true));
        else throw wireTypeError(f);
        break;
      case T.int32Data:
      case T.int64Data:
      case T.uint64Data:
        // One push per value: spreading a packed field of a million ints would overflow the call stack.
        if (f.wire === WIRE.bytes) for (const v of packedVarints(msg, f.start, f.end)) ints.push(v);
        else ints.push(f.value);
        break;
      case T.externalData: {
        let key = '';
        let value = '';
        const entry = msg.subarray(f.start, f.end);
        for (const kv of fields(entry)) {
          const text = Buffer.from(entry.subarray(kv.start, kv.end)).toString('utf8');
          if (kv.field === 1) key = text;
          else if (kv.field === 2) value = text;
        }
        externalInfo[key] = value;
        break;
      }
      case T.dataLocation:
        external = f.value === 1n;
        break;
    }
  }
  const dtype = DATA_TYPES[dataType];
  if (!dtype)
    throw weightsError(file, `initializer ${name}: unsupported data_type ${dataType}`, { tensor: name });
  const entry: TensorEntry = { name, dtype, shape: dims, segments };
  const count = elementCount(dims, `initializer ${name} dims`);
  if (external) {
    const location = (externalInfo.location ?? '').split('/').pop() ?? '';
    const offset = Number(externalInfo.offset ?? 0);
    const length = Number(externalInfo.length ?? count * DTYPE_SIZES[dtype]);
    entry.segments = [{ file: location, start: offset, end: offset + length }];
  } else if (segments.length === 0 && (ints.length > 0 || floats.length > 0 || count === 0)) {
    entry.inline = Float64Array.from(floats.length > 0 ? floats : ints.map((v) => fromInt(dtype, v)));
  }
  return entry;
}

const wireTypeError = (f: Field) =>
  new WireError(`TensorProto field ${f.field} has wire type ${f.wire}, which cannot hold its values`);

/** int32_data holds small ints sign-extended, and float16/bfloat16 as their bit patterns. */
function fromInt(dtype: DType, v: bigint): number {
  switch (dtype) {
    case 'float16':
      return halfToNumber(Number(v & 0xffffn));
    case 'bfloat16': {
      const f = new DataView(new ArrayBuffer(4));
      f.setUint32(0, Number(v & 0xffffn) << 16);
      return f.getFloat32(0);
    }
    case 'uint64':
    case 'uint32':
      return Number(BigInt.asUintN(64, v));
    default:
      return Number(BigInt.asIntN(64, v));
  }
}
