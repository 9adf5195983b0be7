/** Test helpers: build weights files of every format from plain numbers, including a tiny ONNX protobuf encoder. */
import { pbBytes, pbFixed32, pbVarint, varint } from '../../testing/protobuf.js';

export interface TestTensor {
  name: string;
  shape: number[];
  values: number[];
}

const f32 = (values: number[]) => Buffer.from(new Float32Array(values).buffer);

export function toBytes(dtype: string, values: number[]): Buffer {
  switch (dtype) {
    case 'F32':
    case 'float32':
      return f32(values);
    case 'F64':
      return Buffer.from(new Float64Array(values).buffer);
    case 'I32':
    case 'int32':
      return Buffer.from(new Int32Array(values).buffer);
    case 'I64':
      return Buffer.from(new BigInt64Array(values.map(BigInt)).buffer);
    case 'U8':
      return Buffer.from(Uint8Array.from(values));
    case 'I8':
      return Buffer.from(Int8Array.from(values).buffer);
    case 'BF16': {
      // Exact for the small integers tests use: the top half of the float32.
      const out = Buffer.alloc(values.length * 2);
      for (const [i, v] of values.entries()) out.writeUInt16LE(f32([v]).readUInt32LE(0) >>> 16, i * 2);
      return out;
    }
    case 'F16': {
      const out = Buffer.alloc(values.length * 2);
      for (const [i, v] of values.entries()) out.writeUInt16LE(toHalf(v), i * 2);
      return out;
    }
    default:
      throw new Error(`test helper: no dtype ${dtype}`);
  }
}

/** float → float16 bits, exact for values float16 holds exactly (what tests use). */
export function toHalf(v: number): number {
  if (v === 0) return Object.is(v, -0) ? 0x8000 : 0;
  const sign = v < 0 ? 0x8000 : 0;
  const a = Math.abs(v);
  const exp = Math.floor(Math.log2(a));
  if (exp < -14) return sign | Math.round(a / 2 ** -24);
  return sign | ((exp + 15) << 10) | Math.round((a / 2 ** exp - 1) * 1024);
}

export function safetensors(tensors: (TestTensor & { dtype: string })[]): Buffer {
  const header: Record<string, unknown> = { __metadata__: { format: 'pt' } };
  const data: Buffer[] = [];
  let at = 0;
  for (const t of tensors) {
    const bytes = toBytes(t.dtype, t.values);
    header[t.name] = { dtype: t.dtype, shape: t.shape, data_offsets: [at, at + bytes.length] };
    data.push(bytes);
    at += bytes.length;
  }
  const json = Buffer.from(JSON.stringify(header));
  const len = Buffer.alloc(8);
  len.writeBigUInt64LE(BigInt(json.length));
  return Buffer.concat([len, json, ...data]);
}

/** model.json + shards of `shardSize` bytes; a weight may cross a shard boundary. */
export function tfjs(
  weights: (TestTensor & {
    dtype: 'float32' | 'int32';
    quantization?: { dtype: 'uint8'; scale: number; min: number };
  })[],
  shardSize: number,
): Record<string, Buffer> {
  const data = Buffer.concat(
    weights.map((w) =>
      w.quantization
        ? Buffer.from(w.values.map((v) => Math.round((v - w.quantization!.min) / w.quantization!.scale)))
        : toBytes(w.dtype, w.values),
    ),
  );
  const shards: Buffer[] = [];
  for (let at = 0; at < data.length; at += shardSize) shards.push(data.subarray(at, at + shardSize));
  const paths = shards.map((_, i) => `group1-shard${i + 1}of${shards.length}.bin`);
  const model = {
    format: 'layers-model',
    modelTopology: {},
    weightsManifest: [
      {
        paths: paths.map((p) => `./${p}`),
        weights: weights.map((w) => ({
          name: w.name,
          shape: w.shape,
          dtype: w.dtype,
          ...(w.quantization ? { quantization: w.quantization } : {}),
        })),
      },
    ],
  };
  const files: Record<string, Buffer> = { 'model.json': Buffer.from(JSON.stringify(model)) };
  paths.forEach((p, i) => {
    files[p] = shards[i]!;
  });
  return files;
}

export function rawFloat32(tensors: TestTensor[]): {
  index: Record<string, { shape: number[]; offset: number }>;
  data: Buffer;
} {
  const index: Record<string, { shape: number[]; offset: number }> = {};
  let at = 0;
  for (const t of tensors) {
    index[t.name] = { shape: t.shape, offset: at };
    at += t.values.length * 4;
  }
  return { index, data: f32(tensors.flatMap((t) => t.values)) };
}

// --- protobuf wire format, enough for ModelProto → GraphProto → TensorProto -------------------------------

export const ONNX_TYPES = { FLOAT: 1, INT8: 3, INT32: 6, INT64: 7, FLOAT16: 10, DOUBLE: 11 } as const;

export interface OnnxInit {
  name: string;
  dims: number[];
  dataType: number;
  values: number[];
  /** How the values are stored: raw_data, or the typed field (packed or not), or external data. */
  storage: 'raw' | 'typed' | 'typed-unpacked' | { external: string; offset: number };
  /** Write dims unpacked (one field per dim), as older exporters do. */
  unpackedDims?: boolean;
}

const RAW_DTYPE: Record<number, string> = { 1: 'F32', 3: 'I8', 6: 'I32', 7: 'I64', 10: 'F16', 11: 'F64' };

export function onnxTensor(t: OnnxInit): Buffer {
  const parts: Buffer[] = [];
  if (t.unpackedDims) for (const d of t.dims) parts.push(pbVarint(1, d));
  else parts.push(pbBytes(1, Buffer.concat(t.dims.map(varint))));
  parts.push(pbVarint(2, t.dataType), pbBytes(8, t.name));
  if (t.storage === 'raw') parts.push(pbBytes(9, toBytes(RAW_DTYPE[t.dataType]!, t.values)));
  else if (typeof t.storage === 'object') {
    const entry = (k: string, v: string) => pbBytes(13, Buffer.concat([pbBytes(1, k), pbBytes(2, v)]));
    const length = toBytes(RAW_DTYPE[t.dataType]!, t.values).length;
    parts.push(
      entry('location', t.storage.external),
      entry('offset', String(t.storage.offset)),
      entry('length', String(length)),
    );
    parts.push(pbVarint(14, 1));
  } else if (t.dataType === ONNX_TYPES.FLOAT) {
    if (t.storage === 'typed') parts.push(pbBytes(4, f32(t.values)));
    else for (const v of t.values) parts.push(pbFixed32(4, v));
  } else if (t.dataType === ONNX_TYPES.DOUBLE) {
    parts.push(pbBytes(10, Buffer.from(new Float64Array(t.values).buffer)));
  } else {
    const field = t.dataType === ONNX_TYPES.INT64 ? 7 : 5;
    const ints = t.dataType === ONNX_TYPES.FLOAT16 ? t.values.map(toHalf) : t.values;
    if (t.storage === 'typed') parts.push(pbBytes(field, Buffer.concat(ints.map(varint))));
    else for (const v of ints) parts.push(pbVarint(field, v));
  }
  return Buffer.concat(parts);
}

/** A ModelProto with an opset import, a graph name, one Identity node and the initializers. */
export function onnxModel(inits: OnnxInit[]): Buffer {
  const node = Buffer.concat([pbBytes(1, 'x'), pbBytes(2, 'y'), pbBytes(4, 'Identity')]);
  const graph = Buffer.concat([
    pbBytes(1, node),
    pbBytes(2, 'test-graph'),
    ...inits.map((t) => pbBytes(5, onnxTensor(t))),
  ]);
  const opset = Buffer.concat([pbBytes(1, ''), pbVarint(2, 17)]);
  return Buffer.concat([pbVarint(1, 8), pbBytes(2, 'swarmlab-test'), pbBytes(8, opset), pbBytes(7, graph)]);
}
