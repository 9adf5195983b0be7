/** TensorFlow.js on the wasm backend for the Fashion-MNIST example: the MLP, its tfjs files, dataset → tensors. */
import { createRequire } from 'node:module';
import { dirname } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import { setWasmPaths } from '@tensorflow/tfjs-backend-wasm';
import type { DatasetReader } from '../../src/sdk/index.js';
import { prng, shuffle } from '../../src/util/prng.js';

export { tf };

/** The same 10 classes as the IDX files' label bytes. */
export const CLASS_NAMES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
];

const PIXELS = 28 * 28;

/**
 * Selects the wasm backend with its .wasm files from node_modules (nothing is downloaded). tfjs-node would
 * be faster but fetches a native binary at install time.
 */
export async function initTf(): Promise<string> {
  const require = createRequire(import.meta.url);
  const dist = dirname(require.resolve('@tensorflow/tfjs-backend-wasm/dist/tfjs-backend-wasm.wasm'));
  setWasmPaths(`${dist}/`);
  if (!(await tf.setBackend('wasm'))) throw new Error('the tfjs wasm backend did not initialise');
  await tf.ready();
  return tf.getBackend();
}

/**
 * 784 → hidden (ReLU) → 10 (softmax), Adam; labels are class indices (sparse cross-entropy). The initial weights
 * are drawn from `seed` (the biases start at zero).
 */
export function buildMlp(hidden: number, learningRate: number, seed = 42): tf.Sequential {
  const model = tf.sequential({
    layers: [
      tf.layers.dense({
        inputShape: [PIXELS],
        units: hidden,
        activation: 'relu',
        kernelInitializer: tf.initializers.heNormal({ seed }),
      }),
      tf.layers.dense({
        units: 10,
        activation: 'softmax',
        kernelInitializer: tf.initializers.glorotUniform({ seed: seed + 1 }),
      }),
    ],
  });
  compile(model, learningRate);
  return model;
}

function compile(model: tf.LayersModel, learningRate: number): void {
  model.compile({
    optimizer: tf.train.adam(learningRate),
    loss: 'sparseCategoricalCrossentropy',
    metrics: ['accuracy'],
  });
}

/** The model as tfjs `model.json` + one `weights.bin`, the files a `tfjs` generation holds. */
export async function toTfjsFiles(model: tf.LayersModel): Promise<Record<string, Uint8Array>> {
  let files: Record<string, Uint8Array> | undefined;
  await model.save(
    tf.io.withSaveHandler(async (artifacts) => {
      const weightData = artifacts.weightData ?? new ArrayBuffer(0);
      const bin = new Uint8Array(tf.io.CompositeArrayBuffer.join(weightData));
      const modelJson = {
        format: 'layers-model',
        generatedBy: `TensorFlow.js tfjs-layers v${tf.version.tfjs}`,
        convertedBy: null,
        modelTopology: artifacts.modelTopology,
        weightsManifest: [{ paths: ['weights.bin'], weights: artifacts.weightSpecs ?? [] }],
      };
      files = {
        'model.json': new TextEncoder().encode(JSON.stringify(modelJson)),
        'weights.bin': bin,
      };
      return { modelArtifactsInfo: { dateSaved: new Date(), modelTopologyType: 'JSON' } };
    }),
  );
  return files!;
}

/** Rebuilds a model from a tfjs generation's files (model.json + the shards its manifest lists, in order). */
export async function fromTfjsFiles(files: Record<string, Uint8Array>): Promise<tf.LayersModel> {
  const json = files['model.json'];
  if (!json) throw new Error('the generation has no model.json');
  const modelJson = JSON.parse(new TextDecoder().decode(json)) as tf.io.ModelJSON;
  const specs: tf.io.WeightsManifestEntry[] = [];
  const buffers: ArrayBuffer[] = [];
  for (const group of modelJson.weightsManifest) {
    specs.push(...group.weights);
    for (const p of group.paths) {
      const bytes = files[p];
      if (!bytes) throw new Error(`the generation has no ${p}, listed in model.json`);
      buffers.push(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
    }
  }
  return tf.loadLayersModel(
    tf.io.fromMemory({
      modelTopology: modelJson.modelTopology,
      weightSpecs: specs,
      weightData: tf.io.CompositeArrayBuffer.join(buffers),
    }),
  );
}

/** Pixels scaled to [0, 1] and labels, as flat arrays. */
export interface Examples {
  x: Float32Array;
  y: Float32Array;
  rows: number;
}

/** Reads one epoch of an IDX image dataset (`image` uint8 [N,28,28,1], `label` uint8) into flat arrays. */
export async function readExamples(reader: DatasetReader, epoch = 0): Promise<Examples> {
  const rows = reader.manifest.rows;
  const x = new Float32Array(rows * PIXELS);
  const y = new Float32Array(rows);
  let at = 0;
  for await (const batch of reader.epoch(epoch)) {
    const image = batch.columns.image;
    const label = batch.columns.label;
    if (!image || !label) throw new Error('expected columns image and label (an IDX dataset)');
    if (image.dtype !== 'uint8' || label.dtype !== 'uint8') throw new Error('expected uint8 image and label');
    const pixels = image.data as Uint8Array;
    const labels = label.data as Uint8Array;
    const base = at * PIXELS;
    for (let i = 0; i < batch.rows * PIXELS; i++) x[base + i] = pixels[i]! / 255;
    for (let i = 0; i < batch.rows; i++) y[at + i] = labels[i]!;
    at += batch.rows;
  }
  if (at !== rows) throw new Error(`read ${at} rows, the manifest says ${rows}`);
  return { x, y, rows };
}

/** Examples as tensors: pixels `[n, 784]` and labels `[n]`. */
export interface Rows {
  x: tf.Tensor2D;
  y: tf.Tensor1D;
}

/** Rows `[from, to)` of `e` as tensors. */
export function tensors(e: Examples, from = 0, to = e.rows): Rows {
  return {
    x: tf.tensor2d(e.x.subarray(from * PIXELS, to * PIXELS), [to - from, PIXELS]),
    y: tf.tensor1d(e.y.subarray(from, to)),
  };
}

/**
 * A new order of `rows` training rows at each call, drawn from `seed`. tfjs's own `fit({ shuffle: true })` draws
 * its order from Math.random, which cannot be seeded: two runs of one config would train on different batches
 * and end a few tenths of a percent apart.
 */
export function rowOrders(rows: number, seed: number): () => Int32Array {
  const rand = prng(seed);
  const order = Int32Array.from({ length: rows }, (_, i) => i);
  return () => {
    shuffle(order, rand);
    return order.slice();
  };
}

/** The rows of `t` in `order`, as new tensors (a copy: `fit({ shuffle: false })` then batches them in sequence). */
export function reorder(t: Rows, order: Int32Array): Rows {
  return tf.tidy(() => {
    const at = tf.tensor1d(order, 'int32');
    return { x: tf.gather(t.x, at), y: tf.gather(t.y, at) };
  });
}

/** Fraction of rows whose argmax prediction equals the label, in chunks to bound memory. */
export function accuracy(model: tf.LayersModel, e: Examples, chunk = 2000): number {
  let correct = 0;
  for (let from = 0; from < e.rows; from += chunk) {
    const to = Math.min(e.rows, from + chunk);
    correct += tf.tidy(() => {
      const { x, y } = tensors(e, from, to);
      const predicted = (model.predict(x) as tf.Tensor2D).argMax(1);
      return predicted.equal(y.cast('int32')).sum().dataSync()[0]!;
    });
  }
  return correct / e.rows;
}
