// The real files the fuzz suite mutates, per format: the repository's fixtures, a public IDX file where the machine has it, and files built by the test helpers.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { ONNX_TYPES, onnxModel, safetensors, tfjs } from '../../src/models/testing/formats.js';
import { T10K_LABELS } from './manager.js';

const fixtures = (dir: URL, suffix: string): Record<string, Buffer> =>
  Object.fromEntries(
    readdirSync(dir)
      .filter((n) => n.endsWith(suffix))
      .map((n) => [n, readFileSync(new URL(n, dir))]),
  );

/** An IDX header: magic with the type byte and rank, then the big-endian dims. */
export function idxHeader(type: number, shape: number[]): Buffer {
  const head = Buffer.alloc(4 + 4 * shape.length);
  head[2] = type;
  head[3] = shape.length;
  for (const [k, d] of shape.entries()) head.writeUInt32BE(d, 4 + 4 * k);
  return head;
}

/** An IDX file: its header and a payload of `fill(k)` bytes. */
export function idxFile(type: number, shape: number[], fill: (k: number) => number): Buffer {
  const head = idxHeader(type, shape);
  const size = { 8: 1, 9: 1, 11: 2, 12: 4, 13: 4, 14: 8 }[type]!;
  const n = shape.reduce((a, b) => a * b, 1) * size;
  return Buffer.concat([head, Buffer.from(Array.from({ length: n }, (_, k) => fill(k) & 0xff))]);
}

const LIBSVM = `# labels, a query id per line, sparse one-based features
1 qid:1 1:0.5 3:-2 7:1e-3
-1 qid:1 2:4 3:+.25
0.5 qid:2 1:inf 10:3.25 # a comment
3 qid:2
`;

const images = idxFile(8, [3, 4, 4], (k) => k * 7);
const labels = idxFile(8, [3], (k) => k);

/** Dataset files by format; IDX seeds are single files (the pair is exercised by `IDX_PAIR`). */
export const DATASET_SEEDS = {
  libsvm: {
    'qid.svm': Buffer.from(LIBSVM),
    'plain.svm': Buffer.from('+1 1:1 2:2.5\n-1 3:-1e10\n\n2 1:0 5:7\n'),
  },
  csv: fixtures(new URL('../../src/datasets/formats/fixtures/', import.meta.url), '.csv'),
  idx: {
    'images.idx': images,
    'images.idx.gz': gzipSync(images),
    'floats.idx': idxFile(13, [2, 3], (k) => k * 13),
    ...(existsSync(T10K_LABELS) ? { 't10k-labels.gz': readFileSync(T10K_LABELS) } : {}),
  },
  npy: fixtures(new URL('../../src/datasets/formats/fixtures/', import.meta.url), '.npy'),
};

/** An images + labels pair that imports as kind `image`. */
export const IDX_PAIR = { images, labels };

const onnx = onnxModel([
  { name: 'w', dims: [2, 3], dataType: ONNX_TYPES.FLOAT, values: [1, 2, 3, 4, 5, 6], storage: 'raw' },
  { name: 'b', dims: [3], dataType: ONNX_TYPES.INT64, values: [7, -8, 9], storage: 'typed' },
  { name: 'h', dims: [2], dataType: ONNX_TYPES.FLOAT16, values: [0.5, -2], storage: 'typed-unpacked' },
  {
    name: 'd',
    dims: [1, 2],
    dataType: ONNX_TYPES.DOUBLE,
    values: [1.5, 2.5],
    storage: 'typed',
    unpackedDims: true,
  },
]);

const TFJS = tfjs(
  [
    { name: 'dense/kernel', dtype: 'float32', shape: [2, 3], values: [1, 2, 3, 4, 5, 6] },
    { name: 'dense/bias', dtype: 'int32', shape: [3], values: [7, 8, 9] },
    {
      name: 'q',
      dtype: 'float32',
      shape: [4],
      values: [0, 0.5, 1, 1.5],
      quantization: { dtype: 'uint8', scale: 0.5, min: 0 },
    },
  ],
  16,
);

/** Weight files by format: the single file mutated (tfjs: model.json, its shards kept as they are). */
export const WEIGHT_SEEDS = {
  safetensors: {
    'model.safetensors': safetensors([
      { name: 'a', dtype: 'F32', shape: [2, 2], values: [1, 2, 3, 4] },
      { name: 'b', dtype: 'BF16', shape: [3], values: [1, -2, 3] },
      { name: 'c', dtype: 'I64', shape: [], values: [5] },
    ]),
  },
  onnx: { 'model.onnx': onnx },
  tfjs: { 'model.json': TFJS['model.json']! },
  pytorch: {
    'tiny.pt': readFileSync(new URL('../../src/models/tensors/pytorch/fixtures/tiny.pt', import.meta.url)),
  },
};

/** The tfjs shards that ride along with a mutated model.json. */
export const TFJS_SHARDS = Object.fromEntries(Object.entries(TFJS).filter(([n]) => n !== 'model.json'));
