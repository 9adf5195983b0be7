/** Native PyTorch checkpoints (`torch.save` zips of a pickled state dict), read without running any pickle code. */
export { MAX_PICKLE_BYTES, pytorchEntries } from './checkpoint.js';
export { ZipWindow } from './window.js';
export { wholeFile, type ZipBytes } from './zip.js';
