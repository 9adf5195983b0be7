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

/** Formats the registry keeps and diffs but no runtime serves, with how to get a servable one. */
const UNSERVED_HINTS: Record<string, string> = {
  pytorch: 'export the model with torch.onnx.export and save that as an onnx generation to serve it',
};

/** Loads a generation with the runtime its format needs; formats without a runtime are refused. */
export const loadRuntime: RuntimeLoader = async (gen) => {
  switch (gen.format) {
    case 'onnx':
      return OnnxRuntime.load(gen);
    case 'tfjs':
      return (await tfjs()).TfjsRuntime.load(gen);
    default:
      throw new InvalidError(
        `generation ${gen.generation} of ${gen.model} is ${gen.format}, which is not served; only onnx and tfjs generations can be served${UNSERVED_HINTS[gen.format] ? ` (${UNSERVED_HINTS[gen.format]})` : ''}`,
        { details: { model: gen.model, generation: gen.generation, format: gen.format } },
      );
  }
};
