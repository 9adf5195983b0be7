/** Test and bench helper: a minimal ONNX protobuf encoder for small dense graphs (MatMul, Add, Relu, Softmax). */
import { pbBytes as bytes, pbVarint as int, varint } from '../../testing/protobuf.js';

const FLOAT = 1;

/** A float32 initializer (TensorProto: dims 1, data_type 2, name 8, raw_data 9). */
function initializer(name: string, dims: number[], values: Float32Array): Buffer {
  return Buffer.concat([
    bytes(1, Buffer.concat(dims.map(varint))),
    int(2, FLOAT),
    bytes(8, name),
    bytes(9, Buffer.from(values.buffer, values.byteOffset, values.byteLength)),
  ]);
}

/** ValueInfoProto of a float tensor; a string dim is symbolic (dim_param), a number fixed (dim_value). */
function valueInfo(name: string, dims: (number | string)[]): Buffer {
  const shape = Buffer.concat(dims.map((d) => bytes(1, typeof d === 'number' ? int(1, d) : bytes(2, d))));
  const tensorType = Buffer.concat([int(1, FLOAT), bytes(2, shape)]);
  return Buffer.concat([bytes(1, name), bytes(2, bytes(1, tensorType))]);
}

function node(op: string, inputs: string[], outputs: string[], name: string): Buffer {
  return Buffer.concat([
    ...inputs.map((i) => bytes(1, i)),
    ...outputs.map((o) => bytes(2, o)),
    bytes(3, name),
    bytes(4, op),
  ]);
}

export interface DenseLayer {
  /** Row-major [in, out]. */
  weights: Float32Array;
  bias: Float32Array;
  inputs: number;
  outputs: number;
}

export interface MlpOptions {
  layers: DenseLayer[];
  inputName?: string;
  outputName?: string;
  /** Softmax over the last layer (default true). */
  softmax?: boolean;
}

/** An MLP graph: x[N, in] → (MatMul, Add, Relu)* → MatMul, Add [→ Softmax]; N is a symbolic batch dim. */
export function mlpOnnx(options: MlpOptions): Buffer {
  const input = options.inputName ?? 'input';
  const output = options.outputName ?? 'probabilities';
  const nodes: Buffer[] = [];
  const inits: Buffer[] = [];
  let current = input;
  options.layers.forEach((layer, i) => {
    const last = i === options.layers.length - 1;
    inits.push(initializer(`w${i}`, [layer.inputs, layer.outputs], layer.weights));
    inits.push(initializer(`b${i}`, [layer.outputs], layer.bias));
    nodes.push(node('MatMul', [current, `w${i}`], [`mm${i}`], `matmul${i}`));
    const added = last && options.softmax === false ? output : `add${i}`;
    nodes.push(node('Add', [`mm${i}`, `b${i}`], [added], `add${i}`));
    if (!last) {
      nodes.push(node('Relu', [added], [`relu${i}`], `relu${i}`));
      current = `relu${i}`;
    } else if (options.softmax !== false) {
      nodes.push(node('Softmax', [added], [output], 'softmax'));
    }
  });
  const first = options.layers[0]!;
  const last = options.layers.at(-1)!;
  const graph = Buffer.concat([
    ...nodes.map((n) => bytes(1, n)),
    bytes(2, 'mlp'),
    ...inits.map((t) => bytes(5, t)),
    bytes(11, valueInfo(input, ['N', first.inputs])),
    bytes(12, valueInfo(output, ['N', last.outputs])),
  ]);
  const opset = Buffer.concat([bytes(1, ''), int(2, 13)]);
  return Buffer.concat([int(1, 8), bytes(2, 'swarmlab'), bytes(8, opset), bytes(7, graph)]);
}

/** Deterministic small weights from a seed (so tests can compare generations and bench runs repeat). */
export function randomLayers(sizes: number[], seed = 1): DenseLayer[] {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s ^= s >>> 17;
    s ^= s << 5;
    return ((s >>> 0) / 0xffffffff - 0.5) * 0.2;
  };
  const layers: DenseLayer[] = [];
  for (let i = 0; i + 1 < sizes.length; i++) {
    const [inputs, outputs] = [sizes[i]!, sizes[i + 1]!];
    layers.push({
      inputs,
      outputs,
      weights: Float32Array.from({ length: inputs * outputs }, next),
      bias: Float32Array.from({ length: outputs }, next),
    });
  }
  return layers;
}

/** Well-formed protobuf, but its one node is an operator no runtime knows: loading it fails. */
export function brokenOnnx(): Buffer {
  const graph = Buffer.concat([
    bytes(1, node('NoSuchOperator', ['input'], ['output'], 'bad')),
    bytes(2, 'broken'),
    bytes(11, valueInfo('input', ['N', 4])),
    bytes(12, valueInfo('output', ['N', 4])),
  ]);
  const opset = Buffer.concat([bytes(1, ''), int(2, 13)]);
  return Buffer.concat([int(1, 8), bytes(2, 'swarmlab'), bytes(8, opset), bytes(7, graph)]);
}
