/** Runtimes behind the ModelRuntime contract, chosen by a generation's weight format. */
import { InvalidError } from '../../errors/index.js';
import type { GenerationFiles, ModelRuntime } from '../types.js';
import { OnnxRuntime } from './onnx.js';

export { OnnxRuntime };

export type RuntimeLoader = (gen: GenerationFiles) => Promise<ModelRuntime>;

// TF.js takes over a second to import: only a process that serves a tfjs generation pays for it.
const tfjs = () => import('./tfjs.js');

/** Selects TF.js's wasm backend (once per process), with its .wasm files from node_modules. */
export async function wasmBackend(): Promise<void> {
  await (await tfjs()).wasmBackend();
}

/** Loads a generation with the runtime its format needs; formats without a runtime are refused. */
export const loadRuntime: RuntimeLoader = async (gen) => {
  switch (gen.format) {
    case 'onnx':
      return OnnxRuntime.load(gen);
    case 'tfjs':
      return (await tfjs()).TfjsRuntime.load(gen);
    default:
      throw new InvalidError(
        `generation ${gen.generation} of ${gen.model} is ${gen.format}; only onnx and tfjs generations can be served`,
        { details: { model: gen.model, generation: gen.generation, format: gen.format } },
      );
  }
};
