/** Which files of a generation play which part, per format, decided from file names alone. */
import type { WeightFormat } from '../types.js';
import { weightsError } from './entry.js';

export interface Layout {
  /** The file `GET …/weights` returns by default. */
  primary: string;
  /** Files whose leading bytes describe the tensors (JSON index, safetensors headers, the .onnx). */
  described: string[];
}

const ends = (suffix: string) => (name: string) => name.toLowerCase().endsWith(suffix);
const isJson = ends('.json');

/**
 * onnx: one `*.onnx` (other files are external data). safetensors: one or more `*.safetensors` (a JSON shard
 * index may ride along). tfjs: `model.json` (or the only `*.json`) plus the shards it lists. raw-float32: one
 * `*.json` tensor index plus the float32 data. pytorch: one `*.pt` or `*.pth` checkpoint.
 */
export function layoutOf(format: WeightFormat, names: readonly string[]): Layout {
  const pick = (what: string, matches: string[], preferred?: string): string => {
    if (preferred && matches.includes(preferred)) return preferred;
    if (matches.length !== 1) {
      throw weightsError(
        names.join(', ') || '(none)',
        `${format} needs exactly one ${what}, found ${matches.length}`,
      );
    }
    return matches[0]!;
  };
  switch (format) {
    case 'onnx': {
      const model = pick('*.onnx file', names.filter(ends('.onnx')));
      return { primary: model, described: [model] };
    }
    case 'safetensors': {
      const files = names.filter(ends('.safetensors'));
      if (files.length === 0)
        throw weightsError(names.join(', ') || '(none)', 'safetensors needs a *.safetensors file');
      return { primary: files[0]!, described: files };
    }
    case 'tfjs': {
      const model = pick('model.json', names.filter(isJson), 'model.json');
      return { primary: model, described: [model] };
    }
    case 'raw-float32': {
      const index = pick('*.json tensor index', names.filter(isJson));
      const data = names.filter((n) => !isJson(n));
      return { primary: data.length === 1 ? data[0]! : index, described: [index] };
    }
    case 'pytorch': {
      const checkpoint = pick(
        '*.pt or *.pth file',
        names.filter((n) => ends('.pt')(n) || ends('.pth')(n)),
      );
      return { primary: checkpoint, described: [checkpoint] };
    }
    default: {
      const never: never = format;
      throw weightsError('?', `unknown format ${String(never)}`);
    }
  }
}
