// PyTorch checkpoints: a committed file from real torch, a fresh one when torch is installed, and hostile files.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { InvalidError } from '../../../errors/index.js';
import {
  checkpoint,
  pickleGlobal,
  pickleStr,
  statePickle,
  storedZip,
  type TorchTensor,
} from '../../testing/pytorch.js';
import { checkpointEntries, type TensorEntry, tensorEntries, tensorValues, ZipWindow } from '../index.js';

const FIXTURES = join(import.meta.dirname, 'fixtures');
const PYTHON = '/usr/bin/python3';

interface TorchSays {
  [name: string]: { dtype: string; shape: number[]; values: number[] };
}

const entriesOf = (bytes: Uint8Array, file = 'model.pt') =>
  tensorEntries('pytorch', new Map([[file, bytes]]), new Map([[file, bytes.length]]));

function assertMatches(bytes: Uint8Array, expected: TorchSays): TensorEntry[] {
  const entries = entriesOf(bytes);
  assert.deepEqual(entries.map((e) => e.name).sort(), Object.keys(expected).sort());
  const files = new Map([['model.pt', bytes]]);
  for (const e of entries) {
    const want = expected[e.name]!;
    assert.equal(e.dtype, want.dtype, e.name);
    assert.deepEqual(e.shape, want.shape, e.name);
    assert.deepEqual([...tensorValues(e, files)], want.values, e.name);
  }
  return entries;
}

const torchInstalled = spawnSync(PYTHON, ['-c', 'import torch'], { stdio: 'ignore' }).status === 0;

describe('pytorch checkpoints', () => {
  const tiny = readFileSync(join(FIXTURES, 'tiny.pt'));
  const tinySays: TorchSays = JSON.parse(readFileSync(join(FIXTURES, 'tiny.json'), 'utf8'));

  it('reads every tensor of a real torch.save file as torch itself does, views and nesting included', () => {
    const entries = assertMatches(tiny, tinySays);
    const byName = new Map(entries.map((e) => [e.name, e]));
    // The transposed view shares fc.weight's storage with swapped strides.
    assert.deepEqual(byName.get('extra.fc_t')!.view!.strides, [1, 8]);
    assert.deepEqual(byName.get('extra.fc_t')!.segments, byName.get('model.fc.weight')!.segments);
    assert.ok(byName.get('extra.rows')!.view!.offset > 0);
    assert.deepEqual(byName.get('model.bn.num_batches_tracked')!.shape, []);
  });

  it('checks an upload from windows of the stream as it would the whole file', () => {
    const window = new ZipWindow({ head: 2048, tail: 2048 });
    for (let i = 0; i < tiny.length; i += 7) window.push(tiny.subarray(i, i + 7));
    assert.ok(tiny.length > 4096, 'the middle of the file is outside both windows');
    assert.deepEqual(checkpointEntries('model.pt', window), entriesOf(tiny));
    // Without the local headers of the middle entries, the check cannot pass.
    const blind = new ZipWindow({ head: 2048, tail: 2048, maxHeaders: 2 });
    blind.push(tiny);
    assert.throws(() => checkpointEntries('model.pt', blind), /not readable/);
  });

  it('reads a file torch writes now, as torch reads it', {
    skip: !torchInstalled && `no torch for ${PYTHON}`,
  }, () => {
    const dir = mkdtempSync(join(tmpdir(), 'swarmlab-pt-'));
    try {
      const out = join(dir, 'fresh.pt');
      const run = spawnSync(PYTHON, [join(FIXTURES, 'make_checkpoint.py'), out, '7'], { encoding: 'utf8' });
      assert.equal(run.status, 0, run.stderr);
      assertMatches(readFileSync(out), JSON.parse(run.stdout));
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  describe('refuses broken or hostile files, naming what is wrong', () => {
    const refused = (bytes: Uint8Array, pattern: RegExp, details: Record<string, unknown> = {}) => {
      const err = (() => {
        try {
          entriesOf(bytes);
        } catch (e) {
          return e;
        }
      })();
      assert.ok(err instanceof InvalidError, `expected InvalidError, got ${err}`);
      assert.match(err.message, pattern);
      for (const [k, v] of Object.entries(details)) assert.deepEqual(err.details[k], v, k);
    };
    const w: TorchTensor = { name: 'w', storage: 'FloatStorage', values: [1, 2, 3, 4], shape: [2, 2] };

    it('a global other than torch state-dict types, without running it', () => {
      const pickle = Buffer.concat([
        Buffer.from('\x80\x02', 'latin1'),
        pickleGlobal('os.system'),
        pickleStr('touch /tmp/pwned'),
        Buffer.from('\x85R.', 'latin1'),
      ]);
      refused(checkpoint([w], pickle), /archive\/data\.pkl at byte 2: global os\.system is not allowed/, {
        global: 'os.system',
        entry: 'archive/data.pkl',
        offset: 2,
      });
    });

    it('an opcode outside the subset', () => {
      refused(checkpoint([w], Buffer.from('\x80\x02}(I1\n.', 'latin1')), /byte 4: unsupported opcode 0x49/);
    });

    it('a truncated file', () => {
      refused(tiny.subarray(0, tiny.length - 40), /no zip end record/);
      refused(tiny.subarray(0, 3000), /no zip end record/);
      const pickle = checkpoint([w]);
      refused(
        Buffer.concat([pickle.subarray(0, 40), pickle.subarray(pickle.length - 200)]),
        /not a valid torch.save zip/,
      );
    });

    it('a shape, strides or offset reaching past its storage', () => {
      refused(
        checkpoint([{ ...w, shape: [1000, 1000] }]),
        /tensor w: shape \[1000,1000\] has 1000000 elements, its storage holds 4/,
        { tensor: 'w' },
      );
      refused(
        checkpoint([{ ...w, shape: [2], strides: [3], offset: 2 }]),
        /reaches element 5; its storage holds 4/,
      );
      refused(checkpoint([{ ...w, numel: 400 }]), /storage 0 is 16 bytes, not 400 float32 elements/);
    });

    it('a pickle nested to exhaust the stack, or naming one tensor enough times to stall a diff', () => {
      const chain = `\x80\x02}X\x01\x00\x00\x00a${']'.repeat(100_000)}${'a'.repeat(99_999)}s.`;
      refused(checkpoint([w], Buffer.from(chain, 'latin1')), /nests deeper than 64/);
      const big: TorchTensor = { ...w, values: new Array(1000).fill(1), shape: [1000] };
      const aliases = Array.from({ length: 200 }, (_, i) => [
        pickleStr(`alias${i}`),
        Buffer.from('h\x00', 'latin1'),
      ]);
      const shared = Buffer.concat([
        statePickle([big]).subarray(0, -2), // the dict still open, the tensor on top of the stack
        Buffer.from('q\x00', 'latin1'), // memoized, then named 200 times more
        ...aliases.flat(),
        Buffer.from('u.', 'latin1'),
      ]);
      refused(checkpoint([big], shared), /declare 201000 elements in all, over 16 per byte/);
    });

    it('compressed entries', () => {
      const zip = checkpoint([w]);
      // The method field of the first central directory entry (data.pkl).
      zip.writeUInt16LE(8, zip.indexOf(Buffer.from([0x50, 0x4b, 0x01, 0x02])) + 10);
      refused(zip, /entry archive\/data\.pkl is compressed \(method 8\)/);
    });

    it('a big-endian file', () => {
      const zip = storedZip([
        ['archive/data.pkl', statePickle([w])],
        ['archive/byteorder', Buffer.from('big')],
        ['archive/data/0', Buffer.from(new Float32Array(w.values).buffer)],
      ]);
      refused(zip, /byteorder is "big"; only little is read/);
    });

    it('an archive with no data.pkl', () => {
      refused(
        storedZip([['archive/version', Buffer.from('3\n')]]),
        /needs one <archive>\/data\.pkl entry, found 0/,
      );
    });
  });
});
