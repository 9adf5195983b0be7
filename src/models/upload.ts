/**
 * Streams a generation's files into one blob while checking them: sizes against the limit, each file's sha256,
 * and the leading bytes that describe its tensors, so a bad upload is refused before anything is committed.
 */
import { createHash, type Hash, randomUUID } from 'node:crypto';
import { InvalidError, TooLargeError } from '../errors/index.js';
import { type BlobWriter, type Hold, hold, type Store } from '../store/index.js';
import { bundleTrailer } from './bundle.js';
import { uploadOwner } from './keys.js';
import { checkFileName } from './names.js';
import {
  checkpointEntries,
  layoutOf,
  safetensorsHeadBytes,
  tensorEntries,
  WireError,
  WireScanner,
  weightsError,
  ZipWindow,
} from './tensors/index.js';
import type { GenerationFile, WeightFormat } from './types.js';

/** JSON files (model.json, tensor indexes) are kept whole to be parsed; larger ones are refused. */
export const MAX_JSON_BYTES = 16 * 1024 * 1024;

export interface StoredWeights {
  weights: { digest: string; size: number; bundle: boolean };
  files: GenerationFile[];
  primary: string;
}

/** Keeps what a file's checks need: its leading bytes, a running protobuf shape check, or a zip's windows. */
interface Probe {
  push(chunk: Uint8Array): void;
  end(): Uint8Array;
  zip?: ZipWindow;
}

function probeFor(name: string): Probe {
  const lower = name.toLowerCase();
  if (lower.endsWith('.pt') || lower.endsWith('.pth')) {
    // Checked in finish, once the format is known: a zip's directory only comes at its end.
    const zip = new ZipWindow();
    return { push: (chunk) => zip.push(chunk), end: () => new Uint8Array(), zip };
  }
  if (lower.endsWith('.onnx')) {
    const scanner = new WireScanner();
    const fail = (err: unknown) => {
      if (err instanceof WireError) throw weightsError(name, `not a valid ONNX protobuf (${err.message})`);
      throw err;
    };
    return {
      push: (chunk) => {
        try {
          scanner.push(chunk);
        } catch (err) {
          fail(err);
        }
      },
      end: () => {
        try {
          scanner.end();
        } catch (err) {
          fail(err);
        }
        if (!scanner.seen.has(7)) throw weightsError(name, 'not an ONNX model: it has no graph');
        return new Uint8Array();
      },
    };
  }
  const isJson = lower.endsWith('.json');
  const isSafetensors = lower.endsWith('.safetensors');
  const parts: Uint8Array[] = [];
  let kept = 0;
  let first8: Uint8Array | undefined;
  // The safetensors header length is only known once its first 8 bytes are in.
  const need = (): number => {
    if (isJson) return MAX_JSON_BYTES + 1;
    if (!isSafetensors) return 0;
    if (kept < 8) return 8;
    first8 ??= Buffer.concat(parts).subarray(0, 8);
    return safetensorsHeadBytes(name, first8);
  };
  return {
    push: (chunk) => {
      let from = 0;
      for (let n = need(); kept < n && from < chunk.length; n = need()) {
        const take = Uint8Array.from(chunk.subarray(from, from + n - kept));
        parts.push(take);
        kept += take.length;
        from += take.length;
      }
      if (isJson && kept > MAX_JSON_BYTES) {
        throw weightsError(name, `JSON files may be at most ${MAX_JSON_BYTES} bytes`);
      }
    },
    end: () => Buffer.concat(parts),
  };
}

export class WeightsUpload {
  /** Holds the committed blob until the save's transaction hands it to the generation (or the save fails). */
  readonly hold: Hold;
  readonly #writer: BlobWriter;
  readonly #maxBytes: number;
  readonly #files: GenerationFile[] = [];
  readonly #heads = new Map<string, Uint8Array>();
  readonly #zips = new Map<string, ZipWindow>();
  #size = 0;
  #closed = false;

  constructor(store: Store, maxBytes: number) {
    const id = randomUUID();
    // Recorded before the blob is committed, so a crash before the save's commit is undone at the next start.
    this.hold = hold(store, id, uploadOwner(id));
    this.#writer = store.blobWriter({ owner: this.hold.owner, beforeCommit: this.hold.beforeCommit });
    this.#maxBytes = maxBytes;
  }

  get files(): readonly GenerationFile[] {
    return this.#files;
  }

  /** Streams one file in; names must be unique within the generation. */
  async addFile(name: string, source: AsyncIterable<Uint8Array> | Uint8Array): Promise<void> {
    if (this.#closed) throw new InvalidError('upload already finished');
    checkFileName(name, 'file');
    if (this.#files.some((f) => f.name === name)) {
      throw new InvalidError(`file: ${name} is given twice`, { details: { field: 'file', value: name } });
    }
    const probe = probeFor(name);
    const hash: Hash = createHash('sha256');
    const offset = this.#size;
    const chunks = source instanceof Uint8Array ? [source] : source;
    for await (const chunk of chunks) {
      this.#size += chunk.byteLength;
      if (this.#size > this.#maxBytes) {
        throw new TooLargeError(`weights: the upload is larger than ${this.#maxBytes} bytes`, {
          details: { field: 'weights', limit: this.#maxBytes },
        });
      }
      probe.push(chunk);
      hash.update(chunk);
      await this.#writer.write(chunk);
    }
    this.#heads.set(name, probe.end());
    if (probe.zip) this.#zips.set(name, probe.zip);
    this.#files.push({ name, size: this.#size - offset, sha256: hash.digest('hex'), offset });
  }

  /** Checks the files form a valid generation of `format`, then commits the blob. Aborts on any failure. */
  async finish(format: WeightFormat): Promise<StoredWeights> {
    try {
      if (this.#files.length === 0) {
        throw new InvalidError('weights: no files were uploaded', { details: { field: 'weights' } });
      }
      const sizes = new Map(this.#files.map((f) => [f.name, f.size]));
      const layout = layoutOf(format, [...sizes.keys()]);
      // ONNX tensors need the whole file; its shape was checked while streaming.
      if (format === 'pytorch') checkpointEntries(layout.primary, this.#zips.get(layout.primary)!);
      else if (format !== 'onnx') tensorEntries(format, this.#heads, sizes);
      const bundle = this.#files.length > 1;
      if (bundle) await this.#writer.write(bundleTrailer(this.#files));
      this.#closed = true;
      const info = await this.#writer.commit();
      return {
        weights: { digest: info.digest, size: info.size, bundle },
        files: this.#files,
        primary: layout.primary,
      };
    } catch (err) {
      await this.abort();
      throw err;
    }
  }

  /** Drops everything written. Idempotent. */
  async abort(): Promise<void> {
    this.#closed = true;
    this.#heads.clear();
    this.#zips.clear();
    await this.#writer.abort();
    // Only there when the blob's commit failed after the record was written: the blob is not stored.
    await this.hold.discard();
  }
}

/** The file name a one-file (raw body) upload gets when the metadata names none. tfjs needs several files. */
export const DEFAULT_FILE_NAMES: Record<WeightFormat, string | undefined> = {
  onnx: 'model.onnx',
  safetensors: 'model.safetensors',
  'raw-float32': 'weights.bin',
  pytorch: 'model.pt',
  tfjs: undefined,
};
