/**
 * Row blocks and the gather that builds every frame: rows picked from one or more blocks (a whole
 * import, or stored shards) are copied into one new frame, contiguous runs with one copy each.
 * Sparse CSR columns travel together: `indptr` is rebased so each frame's starts at 0.
 */

import type { ColumnAxis, ColumnSchema } from '../api/index.js';
import { InvalidError } from '../errors/index.js';
import { itemSize } from './dtypes.js';
import { type FrameColumn, layoutFrame, type PartSpec, type PlannedFrame, planFrame } from './frame.js';

/** One column of a block: its bytes, plus utf8 offsets or CSR row pointers as typed views. */
export interface BlockColumn {
  schema: ColumnSchema;
  bytes: Uint8Array;
  /** Bytes per row (`row` axis, fixed-width) or per stored value (`nnz` axis). */
  unit: number;
  /** utf8 columns: row offsets (rows + 1). */
  offsets?: Uint32Array;
}

/** A run of rows that can be read together: an import result or one shard. */
export interface RowBlock {
  rows: number;
  columns: BlockColumn[];
  /** CSR row pointers when the block has `nnz` columns. */
  indptr?: Uint32Array;
}

const bytesOf = (a: ArrayBufferView): Uint8Array => new Uint8Array(a.buffer, a.byteOffset, a.byteLength);

function unitOf(schema: ColumnSchema): number {
  if (schema.dtype === 'utf8' || schema.axis === 'indptr') return 0;
  return schema.shape.slice(1).reduce((a, b) => a * b, 1) * itemSize(schema.dtype);
}

export function blockColumn(schema: ColumnSchema, data: ArrayBufferView, offsets?: Uint32Array): BlockColumn {
  return { schema, bytes: bytesOf(data), unit: unitOf(schema), ...(offsets ? { offsets } : {}) };
}

export function finishBlock(rows: number, columns: BlockColumn[]): RowBlock {
  const ptr = columns.find((c) => c.schema.axis === 'indptr');
  if (!ptr) return { rows, columns };
  if (ptr.schema.dtype !== 'uint32') {
    throw new InvalidError(`column ${ptr.schema.name}: CSR row pointers must be uint32`, {
      details: { column: ptr.schema.name, field: 'dtype' },
    });
  }
  const indptr = new Uint32Array(ptr.bytes.buffer, ptr.bytes.byteOffset, ptr.bytes.byteLength / 4);
  return { rows, columns, indptr };
}

/** A block over a decoded shard/batch frame, with the version's schema. */
export function blockOfFrame(schema: ColumnSchema[], rows: number, frame: FrameColumn[]): RowBlock {
  const byName = new Map(frame.map((c) => [c.name, c]));
  const columns = schema.map((s) => {
    const c = byName.get(s.name);
    if (!c) throw new InvalidError(`stored shard lacks column ${s.name}`, { details: { column: s.name } });
    return blockColumn(s, c.data, c.offsets);
  });
  return finishBlock(rows, columns);
}

/** Rows to gather, in output order: `block[i]` and `row[i]` for i < count. */
export interface Picks {
  blocks: RowBlock[];
  block: Uint32Array;
  row: Uint32Array;
  count: number;
}

interface Runs {
  block: RowBlock[];
  start: number[];
  length: number[];
}

function toRuns(p: Picks): Runs {
  const runs: Runs = { block: [], start: [], length: [] };
  let last = -1;
  for (let i = 0; i < p.count; i++) {
    const b = p.blocks[p.block[i]!]!;
    const r = p.row[i]!;
    if (last >= 0 && runs.block[last] === b && runs.start[last]! + runs.length[last]! === r) {
      runs.length[last]!++;
      continue;
    }
    runs.block.push(b);
    runs.start.push(r);
    runs.length.push(1);
    last++;
  }
  return runs;
}

/** Rows `[start, start + count)` of one block as picks. */
export function rangePicks(block: RowBlock, start: number, count: number): Picks {
  const row = new Uint32Array(count);
  for (let i = 0; i < count; i++) row[i] = start + i;
  return { blocks: [block], block: new Uint32Array(count), row, count };
}

/** Copies the picked rows of every column into one new frame. */
export function gather(
  schema: ColumnSchema[],
  picks: Picks,
  head: { t: 'shard' } | { t: 'batch'; batch: number },
): PlannedFrame {
  const runs = toRuns(picks);
  const planned = planFrame(head, picks.count, partSpecs(schema, picks, runs));
  schema.forEach((s, j) => {
    fill(s.axis, j, runs, planned.slots[j]!);
  });
  return planned;
}

/** Runs per batch up to which a segmented frame references the blocks' bytes instead of copying them. */
const SEGMENT_RUNS = 16;
const ZEROS = new Uint8Array(8);

/**
 * The picked rows as the byte segments of one frame, in wire order, for a writer that sends them together
 * (writev): fixed-width and sparse values of the few long runs of stored order are views of the blocks' bytes
 * (no copy); row pointers and utf8 columns are computed. Many short runs (shuffled order) are gathered once.
 */
export function gatherSegments(
  schema: ColumnSchema[],
  picks: Picks,
  head: { t: 'batch'; batch: number },
): Uint8Array[] {
  const runs = toRuns(picks);
  if (runs.block.length > SEGMENT_RUNS) return [gather(schema, picks, head).frame];
  const layout = layoutFrame(head, picks.count, partSpecs(schema, picks, runs));
  const segments = [layout.head];
  const push = (bytes: Uint8Array[], length: number): void => {
    for (const b of bytes) if (b.length) segments.push(b);
    if (length & 7) segments.push(ZEROS.subarray(0, 8 - (length & 7)));
  };
  layout.header.columns.forEach((part, j) => {
    const axis = schema[j]!.axis;
    if (axis === 'indptr' || part.offsets) {
      const data = new Uint8Array(part.length);
      const offsets = part.offsets ? new Uint8Array(part.offsets[1]) : undefined;
      fill(axis, j, runs, { data, ...(offsets ? { offsets } : {}) });
      push([data], part.length);
      if (offsets) push([offsets], offsets.length);
      return;
    }
    const views: Uint8Array[] = [];
    for (let k = 0; k < runs.block.length; k++) {
      const block = runs.block[k]!;
      const col = block.columns[j]!;
      const start = runs.start[k]!;
      const end = start + runs.length[k]!;
      views.push(
        axis === 'nnz'
          ? col.bytes.subarray(block.indptr![start]! * col.unit, block.indptr![end]! * col.unit)
          : col.bytes.subarray(start * col.unit, end * col.unit),
      );
    }
    push(views, part.length);
  });
  return segments;
}

/** Each column's size in the frame of `picks`. */
function partSpecs(schema: ColumnSchema[], picks: Picks, runs: Runs): PartSpec[] {
  const n = picks.count;
  let nnz = 0;
  for (let k = 0; k < runs.block.length; k++) {
    const ptr = runs.block[k]!.indptr;
    if (ptr) nnz += ptr[runs.start[k]! + runs.length[k]!]! - ptr[runs.start[k]!]!;
  }
  return schema.map((s, j) => {
    const unit = picks.blocks[0]?.columns[j]?.unit ?? unitOf(s);
    switch (s.axis) {
      case 'indptr':
        return { name: s.name, dtype: s.dtype, shape: [n + 1], length: (n + 1) * 4 };
      case 'nnz':
        return { name: s.name, dtype: s.dtype, shape: [nnz, ...s.shape.slice(1)], length: nnz * unit };
      case 'row': {
        if (s.dtype !== 'utf8')
          return { name: s.name, dtype: s.dtype, shape: [n, ...s.shape.slice(1)], length: n * unit };
        let text = 0;
        for (let k = 0; k < runs.block.length; k++) {
          const off = runs.block[k]!.columns[j]!.offsets!;
          text += off[runs.start[k]! + runs.length[k]!]! - off[runs.start[k]!]!;
        }
        return { name: s.name, dtype: s.dtype, shape: [n], length: text, offsetsLength: (n + 1) * 4 };
      }
      default: {
        const never: never = s.axis;
        throw new Error(`unknown axis ${String(never)}`);
      }
    }
  });
}

function fill(
  axis: ColumnAxis,
  j: number,
  runs: Runs,
  slot: { data: Uint8Array; offsets?: Uint8Array },
): void {
  let at = 0;
  let row = 0;
  const out32 =
    axis === 'indptr' || slot.offsets
      ? new Uint32Array(
          (slot.offsets ?? slot.data).buffer,
          (slot.offsets ?? slot.data).byteOffset,
          (slot.offsets ?? slot.data).byteLength / 4,
        )
      : undefined;
  for (let k = 0; k < runs.block.length; k++) {
    const block = runs.block[k]!;
    const col = block.columns[j]!;
    const start = runs.start[k]!;
    const len = runs.length[k]!;
    if (axis === 'indptr') {
      // Rebased: this frame's values start at 0, whichever shard the rows came from.
      const ptr = block.indptr!;
      for (let r = 0; r < len; r++)
        out32![row + r + 1] = out32![row + r]! + (ptr[start + r + 1]! - ptr[start + r]!);
    } else if (axis === 'nnz') {
      const ptr = block.indptr!;
      const from = ptr[start]! * col.unit;
      const to = ptr[start + len]! * col.unit;
      slot.data.set(col.bytes.subarray(from, to), at);
      at += to - from;
    } else if (col.offsets) {
      const off = col.offsets;
      const base = off[start]!;
      slot.data.set(col.bytes.subarray(base, off[start + len]!), at);
      for (let r = 0; r < len; r++) out32![row + r + 1] = at + (off[start + r + 1]! - base);
      at += off[start + len]! - base;
    } else {
      slot.data.set(col.bytes.subarray(start * col.unit, (start + len) * col.unit), at);
      at += len * col.unit;
    }
    row += len;
  }
}
